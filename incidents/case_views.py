"""The pages about the people a user keeps records on (cases): the list, one person, adding and
amending."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import (
    services,
)
from .access import get_case
from .forms import (
    CaseForm,
)
from .models import (
    Case,
)


def case_list(request):
    cases = Case.objects.owned_by(request.user)
    if len(cases) == 1:
        return redirect("case_detail", case_id=cases[0].uuid)
    return render(request, "incidents/case_list.html", {"cases": cases})


def case_new(request):
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = form.save(commit=False)
        case.owner = request.user
        services.record_save(record=case)
        messages.success(request, _("Saved."))
        return redirect("case_detail", case_id=case.uuid)
    return render(request, "incidents/case_form.html", {"form": form})


def case_detail(request, case_id):
    case = get_case(request, case_id)
    summary = case.incidents.live().summary()
    return render(request, "incidents/case_detail.html", {"case": case, "summary": summary})


def case_edit(request, case_id):
    case = get_case(request, case_id)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        services.record_save(record=form.save(commit=False))
        messages.success(request, _("Saved."))
        return redirect(reverse("case_detail", kwargs={"case_id": case.uuid}))
    return render(request, "incidents/case_form.html", {"form": form, "case": case})
