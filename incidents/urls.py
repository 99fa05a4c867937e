from django.contrib.auth import views as auth_views
from django.urls import path

from . import (
    account_views,
    answer_views,
    case_views,
    contact_views,
    draft_views,
    evidence_views,
    export_views,
    head_views,
    health,
    incident_views,
    message_views,
    record_views,
    recovery_views,
    share_views,
    sign_in_views,
    two_factor_views,
    views,
)
from .models.kinds import IMPORTED_KINDS, STEP_KINDS

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("setup/", account_views.setup, name="setup"),
    path("health/", health.health, name="health"),
    path("sign-in/", sign_in_views.LoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account_views.account_settings, name="account_settings"),
    path("account/password/", account_views.password_change, name="password_change"),
    path("sign-in/code/", two_factor_views.login_code, name="login_code"),
    path("sign-in/forgot/", recovery_views.forgot_password, name="forgot_password"),
    path("sign-in/reset/<str:token>/", recovery_views.reset_link, name="reset_link"),
    path("account/recovery-codes/", recovery_views.recovery_codes, name="recovery_codes"),
    path(
        "account/recovery-codes/new/",
        recovery_views.recovery_codes_new,
        name="recovery_codes_new",
    ),
    path("account/two-factor/", two_factor_views.two_factor_settings, name="two_factor"),
    path("account/two-factor/start/", two_factor_views.two_factor_offer, name="two_factor_offer"),
    path("account/two-factor/setup/", two_factor_views.two_factor_setup, name="two_factor_setup"),
    path(
        "account/two-factor/backup-codes/",
        two_factor_views.two_factor_codes,
        name="two_factor_codes",
    ),
    path("account/sessions/", account_views.sessions, name="account_sessions"),
    path(
        "account/sessions/end-others/",
        account_views.sessions_end_others,
        name="account_sessions_end_others",
    ),
    path("account/sessions/alive/", account_views.session_alive, name="session_alive"),
    path("account/sign-ins/", account_views.sign_in_history, name="account_sign_ins"),
    path("account/activity/", account_views.activity, name="account_activity"),
    path("account/safety/", account_views.safety_advice, name="account_safety_advice"),
    path("account/notices/dismiss/", account_views.notice_dismiss, name="notice_dismiss"),
    path("account/data/", account_views.account_data, name="account_data"),
    path("account/delete/", account_views.account_delete, name="account_delete"),
    path("account/demo/remove/", account_views.demo_data_remove, name="demo_remove"),
    path("accounts/", account_views.account_list, name="account_list"),
    path("timeline/", views.timeline, name="timeline"),
    path(
        "timeline/contacts/<uuid:case_id>/<str:day>/",
        contact_views.contact_day,
        name="contact_day",
    ),
    path(
        "timeline/contacts/<uuid:case_id>/<str:day>/incident/",
        contact_views.contact_day_incident,
        name="contact_day_incident",
    ),
    path("patterns/", views.patterns, name="patterns"),
    path("trash/", views.trash, name="trash"),
    path("steps/", views.checklist, name="checklist"),
    path("steps/safety/", views.safety_step_toggle, name="safety_step_toggle"),
    path("help/", views.help_page, name="help"),
    path("answers/", answer_views.answers, name="answers"),
    path("incidents/new/", incident_views.incident_new, name="incident_new"),
    path("incidents/new/draft/", draft_views.draft_save, name="draft_save"),
    path("incidents/new/draft/discard/", draft_views.draft_discard, name="draft_discard"),
    path(
        "incidents/<uuid:incident_id>/answer/confirm/",
        answer_views.incident_answer_confirm,
        name="incident_answer_confirm",
    ),
    path("incidents/<uuid:incident_id>/", incident_views.incident_detail, name="incident_detail"),
    path("incidents/<uuid:incident_id>/edit/", incident_views.incident_edit, name="incident_edit"),
    path(
        "incidents/<uuid:incident_id>/delete/",
        incident_views.incident_delete,
        name="incident_delete",
    ),
    path(
        "incidents/<uuid:incident_id>/restore/",
        incident_views.incident_restore,
        name="incident_restore",
    ),
    path(
        "incidents/<uuid:incident_id>/evidence/",
        incident_views.incident_evidence_upload,
        name="incident_evidence_upload",
    ),
    path("people/", case_views.case_list, name="case_list"),
    path("people/new/", case_views.case_new, name="case_new"),
    path("people/<uuid:case_id>/", case_views.case_detail, name="case_detail"),
    path("people/<uuid:case_id>/edit/", case_views.case_edit, name="case_edit"),
    path(
        "people/<uuid:case_id>/evidence/", evidence_views.evidence_gallery, name="evidence_gallery"
    ),
    path(
        "people/<uuid:case_id>/evidence/upload/",
        evidence_views.case_evidence_upload,
        name="case_evidence_upload",
    ),
    path(
        "people/<uuid:case_id>/evidence/check/",
        evidence_views.evidence_check,
        name="evidence_check",
    ),
    path("evidence/<uuid:evidence_id>/", evidence_views.evidence_detail, name="evidence_detail"),
    path(
        "evidence/<uuid:evidence_id>/delete/",
        evidence_views.evidence_delete,
        name="evidence_delete",
    ),
    path(
        "evidence/<uuid:evidence_id>/restore/",
        evidence_views.evidence_restore,
        name="evidence_restore",
    ),
    path(
        "evidence/<uuid:evidence_id>/attach/<str:kind>/<uuid:record_id>/",
        evidence_views.evidence_attach,
        name="evidence_attach",
    ),
    path(
        "evidence/<uuid:evidence_id>/original/",
        evidence_views.evidence_original,
        name="evidence_original",
    ),
    path(
        "evidence/<uuid:evidence_id>/preview/",
        evidence_views.evidence_preview,
        name="evidence_preview",
    ),
    path(
        "evidence/<uuid:evidence_id>/thumbnail/",
        evidence_views.evidence_thumbnail,
        name="evidence_thumbnail",
    ),
    path("dossier/", export_views.dossier, name="dossier"),
    path("exports/<uuid:export_id>/", export_views.export_detail, name="export_detail"),
    path("exports/<uuid:export_id>/status/", export_views.export_status, name="export_status"),
    path(
        "exports/<uuid:export_id>/download/", export_views.export_download, name="export_download"
    ),
    path("exports/<uuid:export_id>/retry/", export_views.export_retry, name="export_retry"),
    path("exports/<uuid:export_id>/delete/", export_views.export_delete, name="export_delete"),
    path("exports/<uuid:export_id>/share/", share_views.share_new, name="share_new"),
    path("shares/<uuid:share_id>/revoke/", share_views.share_revoke, name="share_revoke"),
    path("record-fingerprint.txt", head_views.head_download, name="head_download"),
    path("s/", share_views.share_open, name="share_open"),
    path("s/file/", share_views.share_file, name="share_file"),
]

# Messages and calls imported from a phone's export, and the imports themselves.
urlpatterns += [
    path("messages/import/", message_views.message_import_new, name="message_import_new"),
    path(
        "messages/imports/<uuid:import_id>/",
        message_views.message_import_detail,
        name="message_import_detail",
    ),
    path(
        "messages/imports/<uuid:import_id>/status/",
        message_views.message_import_status,
        name="message_import_status",
    ),
    path(
        "messages/imports/<uuid:import_id>/retry/",
        message_views.message_import_retry,
        name="message_import_retry",
    ),
]
for kind, described in IMPORTED_KINDS.items():
    urlpatterns.append(
        path(
            f"{described.url_prefix}/<uuid:record_id>/",
            message_views.imported_detail,
            {"kind": kind},
            name=f"{kind}_detail",
        )
    )

# The other kinds of record (models/kinds.py) share one set of views.
for kind, described in STEP_KINDS.items():
    prefix = described.url_prefix
    record = f"{prefix}/<uuid:record_id>"
    urlpatterns += [
        path(f"{prefix}/", record_views.record_list, {"kind": kind}, name=f"{kind}_list"),
        path(f"{prefix}/new/", record_views.record_new, {"kind": kind}, name=f"{kind}_new"),
        path(f"{record}/", record_views.record_detail, {"kind": kind}, name=f"{kind}_detail"),
        path(f"{record}/edit/", record_views.record_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(
            f"{record}/delete/", record_views.record_delete, {"kind": kind}, name=f"{kind}_delete"
        ),
        path(
            f"{record}/restore/",
            record_views.record_restore,
            {"kind": kind},
            name=f"{kind}_restore",
        ),
    ]
    if described.takes_files:
        urlpatterns.append(
            path(
                f"{record}/evidence/",
                record_views.record_evidence_upload,
                {"kind": kind},
                name=f"{kind}_evidence_upload",
            )
        )
