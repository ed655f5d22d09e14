"""The one way a page posts an action (issue 22): a table from verb to a small handler.

Each app that posts several actions to one URL (`…/<verb>/`) declares `VERBS = {"ship": Verb(…)}`:
the form that parses the input (P-1), the handler that calls the action with the parsed form,
and the part of the page to show again when the input or the action is refused, so what the user
typed is never lost. `post_verb` runs one of them; nothing is saved unless the action went through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.core.errors import ActionError, FieldErrors
from oms.core.forms import add_errors
from oms.engine import workflow


@dataclass(frozen=True)
class Gate:
    """Who may post a verb on the target, asked before the input is parsed or anything is done:
    someone without the right sees that, not field errors about input they could never submit
    (which tell them what the form expects) (S-1, issue 23). The action checks the same predicate
    again under its lock; this is the door, not a replacement of that check."""

    allows: Callable[[Any, Any], bool]
    message: Any  # a lazy translation, worded in the request's language when refused


@dataclass(frozen=True)
class Verb:
    """One posted action. `run(actor, target, form)` calls the action with the parsed form (None
    when the action takes no input); `form(target, data, files)` builds the form; `template` is the
    form's part of the page, shown again with the input on a refusal (empty: the refusal is a
    message on the page the action came from, there being nothing typed to keep); `done` words
    the success message; `gate` who may post it at all, asked first."""

    run: Callable[[User, Any, Any], object]
    form: Callable[[Any, Any, Any], forms.Form] | None = None
    template: str = ""
    # The success message from the request and what `run` returned (default: "已完成。").
    done: Callable[[HttpRequest, Any], str] | None = None
    gate: Gate | None = None


def input_form(cls: Callable[..., forms.Form]) -> Callable[[Any, Any, Any], forms.Form]:
    """The `Verb.form` builder of a form that needs only what was posted, files included (an
    upload), not the target: `cls(data, files)`."""
    return lambda target, data, files: cls(data, files)


# What the page shows again on a refusal: (request, target, verb, form, errors, status).
Redisplay = Callable[[HttpRequest, Any, Verb, forms.Form, Mapping[str, list[str]], int], HttpResponse]


def post_verb(
    request: HttpRequest,
    *,
    verbs: Mapping[str, Verb],
    verb: str,
    target: Any,
    back: str,
    redisplay: Redisplay,
) -> HttpResponse:
    """Run `verbs[verb]` on `target` for the logged-in user: on success a message and back to the
    `back` URL; bad input (the form's or the action's FieldErrors) shows the form again with what
    was typed (422); a refused action shows it again with the reason (400). A user the verb's
    `gate` refuses is refused first (400), what they typed shown again unparsed."""
    handler = verbs.get(verb)
    if handler is None:
        raise Http404
    assert isinstance(request.user, User)
    if handler.gate is not None and not handler.gate.allows(request.user, target):
        messages.error(request, str(handler.gate.message))
        if handler.form is None or not handler.template:
            return back_to(request, back)
        typed = handler.form(target, request.POST, request.FILES)  # shown again, never validated
        return redisplay(request, target, handler, typed, {}, 400)
    form = handler.form(target, request.POST, request.FILES) if handler.form else None
    errors: Mapping[str, list[str]] = {}
    status = 422
    if form is not None and not form.is_valid():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
    else:
        try:
            result = handler.run(request.user, target, form)
        except FieldErrors as exc:
            errors = exc.errors
        except (ActionError, workflow.WorkflowError) as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, handler.done(request, result) if handler.done else _("已完成。"))
            return back_to(request, back)
    if form is None or not handler.template:
        for msgs in errors.values():
            for m in msgs:
                messages.error(request, m)
        return back_to(request, back)
    return redisplay(request, target, handler, form, errors, status)


def chosen(form: forms.Form, name: str) -> Any:
    """The record the form's field `name` chose (a task, a non-conformance), for the refused form's
    page to show its row: from the validated form, else (a form the gate refused, never
    validated) that one field's value alone, when it is a valid choice; otherwise None."""
    data = getattr(form, "cleaned_data", None)
    if data is not None:
        return data.get(name)
    field = form.fields.get(name)
    if field is None:
        return None
    try:
        return field.clean(field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name)))
    except forms.ValidationError:
        return None


def back_to(request: HttpRequest, back: str) -> HttpResponse:
    """Back to the page `back` after an action, its message said. A form posted in place (htmx,
    issue 23 point 5) from that same page gets the redirect too: htmx follows it, still asking as
    htmx, and the page answers with just the part the form was in, so nothing reloads. Posted in
    place from another page, it is sent to `back` whole (`HX-Redirect`)."""
    if request.headers.get("HX-Request"):
        current = urlsplit(request.headers.get("HX-Current-URL", "")).path
        if current != urlsplit(back).path:
            response = HttpResponse()
            response["HX-Redirect"] = back
            return response
    return redirect(back)


def refused_page(
    request: HttpRequest,
    *,
    order: Any,
    form_template: str,
    form: forms.Form,
    errors: Mapping[str, list[str]],
    status: int,
    page: str = "core/action_form.html",
    **context: Any,
) -> HttpResponse:
    """The refused form on its own page under the order's name, with what was typed and why
    (nothing was saved); `context` is what the form's part of the page needs besides. Posted in
    place (htmx, issue 23 point 5), only the form comes back, in place of the one posted."""
    return render(
        request,
        "core/_action_form_in_place.html" if request.headers.get("HX-Request") else page,
        {
            "order": order,
            "form_template": form_template,
            "form": form,
            "typed": form.data,
            "field_errors": errors,
            "error_messages": [m for msgs in errors.values() for m in msgs],
            **context,
        },
        status=status,
    )


# What a refused form's page shows besides the form: `(request, target, verb, form) -> context`.
RefusedContext = Callable[[HttpRequest, Any, Verb, forms.Form], Mapping[str, Any]]


def refused_page_of(
    context: RefusedContext,
    *,
    order_of: Callable[[Any], Any] = lambda target: target,
    page: str = "core/action_form.html",
) -> Redisplay:
    """The `redisplay` of a verb table whose refused forms stand on their own page (`refused_page`)
    under the order of the target (`order_of`), with what `context` adds for the form's part."""

    def redisplay(
        request: HttpRequest,
        target: Any,
        verb: Verb,
        form: forms.Form,
        errors: Mapping[str, list[str]],
        status: int,
    ) -> HttpResponse:
        return refused_page(
            request,
            order=order_of(target),
            form_template=verb.template,
            form=form,
            errors=errors,
            status=status,
            page=page,
            **context(request, target, verb, form),
        )

    return redisplay


# `Verb.template` of a form rendered from its fields (a `StyledForm` with a `heading`), posted again
# to the address it came from.
FIELDS_FORM = "core/_verb_form.html"


def fields_redisplay(back: Callable[[Any], str]) -> Redisplay:
    """The `redisplay` of verbs whose forms are drawn from their fields (`FIELDS_FORM`): the form
    under the order's name (the target is the order), what was typed kept, the action's own
    refusals beside the fields they concern, and a way `back(order)` without saving."""

    def redisplay(
        request: HttpRequest,
        order: Any,
        verb: Verb,
        form: forms.Form,
        errors: Mapping[str, list[str]],
        status: int,
    ) -> HttpResponse:
        if not form.errors:  # the form was valid: the errors are the action's, keyed by field
            add_errors(form, FieldErrors(dict(errors)))
        return refused_page(
            request,
            order=order,
            form_template=verb.template,
            form=form,
            errors=errors,
            status=status,
            title=getattr(form, "heading", ""),
            action=request.path,
            back=back(order),
        )

    return redisplay
