"""Pages for the dossier and the evidence package: choose what goes in, follow the job while the
worker makes it, download or delete the file. Every export is fetched through `_get_export`,
which answers 404 to anyone but its owner."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import custody, exports, handouts, security
from .access import get_export
from .dossier import DossierOptions
from .evidence import FileProblem
from .forms import DossierForm
from .models import AuditEvent, Case, Export
from .responses import sends_bytes
from .share_views import share_list_context

RECENT_EXPORTS = 10


def dossier(request):
    default_case = exports.default_dossier_case(request.user)
    form = DossierForm(request.POST or None, user=request.user, default_case=default_case)
    if request.method == "POST":
        # Enter in a text field sends the first button's value, or none in some browsers.
        kind = request.POST.get("kind")
        if kind not in Export.Kind.values:
            kind = Export.Kind.DOSSIER
        if form.is_valid():
            case = form.cleaned_data.get("case") or default_case
            export = exports.export_start(
                user=request.user, case=case, kind=kind, options=_options(form, case)
            )
            return redirect(export)
    context = {
        "form": form,
        "exports": Export.objects.owned_by(request.user).select_related("case")[:RECENT_EXPORTS],
        "show_case": "case" in form.fields,
    }
    return render(request, "incidents/dossier.html", context, status=400 if form.errors else 200)


def _options(form: DossierForm, case: Case) -> DossierOptions:
    data = form.cleaned_data
    return DossierOptions(
        case=str(case.uuid),
        date_from=data["date_from"],
        date_to=data["date_to"],
        include_effects=data["include_effects"],
        include_images=data["include_images"],
        paper=data["paper"],
        short=data["short"],
        prepared_by=data["prepared_by"].strip(),
        language=data["language"],
    )


def export_detail(request, export_id):
    export = get_export(request, export_id)
    context = {
        "export": export,
        "noun": exports.NOUNS[export.kind],
        "options": exports.export_options(export),
        "slow": exports.is_slow_to_start(export),
        "file_gone": export.status == Export.Status.DONE and not _file_exists(export),
        "show_case": Case.objects.owned_by(request.user).count() > 1,
    }
    if export.status == Export.Status.DONE and export.sha256:
        context.update(share_list_context(request, export))
    return render(request, "incidents/export_detail.html", context)


def export_status(request, export_id):
    """The job's state for the progress page's script, which reloads the page once it ends."""
    export = get_export(request, export_id)
    response = JsonResponse(
        {
            "status": export.status,
            "label": export.get_status_display(),
            "progress": export.progress,
            "stage": export.stage,
            "finished": export.is_finished,
            "slow": exports.is_slow_to_start(export),
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _file_exists(export: Export) -> bool:
    path = exports.export_path(export)
    return path is not None and path.exists()


def export_download(request, export_id):
    """The finished file, once it is checked against the fingerprint taken when it was made."""
    export = get_export(request, export_id)
    if export.status != Export.Status.DONE or not _file_exists(export):
        raise Http404("This file is not ready, or no longer exists.")
    label = exports.describe(export)
    try:  # (a file made before fingerprints were kept has none to be checked against)
        if export.sha256:
            handouts.verify_export(request, export)
    except (FileProblem, handouts.Unreachable) as problem:
        return handouts.refused(request, export, problem, label=label)
    response = exports.download_response(request, export)
    if sends_bytes(request, response):
        audit = (AuditEvent.Action.EXPORT_DOWNLOAD, label)
        action = custody.Action.DOWNLOADED
        handouts.log(request, export, file_sha256=export.sha256, action=action, audit=audit)
    return response


@require_POST
def export_retry(request, export_id):
    export = get_export(request, export_id)
    file_gone = export.status == Export.Status.DONE and not _file_exists(export)
    if export.status != Export.Status.FAILED and not file_gone:
        return redirect(export)
    again = exports.export_retry(export=export)
    messages.info(request, _("Started again, with the same choices."))
    return redirect(again)


def export_delete(request, export_id):
    export = get_export(request, export_id)
    if request.method == "POST":
        exports.export_delete(export=export)
        security.audit(request, AuditEvent.Action.EXPORT_DELETE, exports.describe(export))
        messages.success(request, exports.DELETED[export.kind])
        return redirect("dossier")
    context = {"export": export, "noun": exports.NOUNS[export.kind]}
    return render(request, "incidents/export_confirm_delete.html", context)
