"""Issue 23, point 5: the order as a document. Its tabs (each with its own part and panels, only
the shown one read), the toolbar of what the user may do now (from the transition tables, blocked
ones with their reasons) and actions posted in place (htmx) answered with their tab (H-1, B-6)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import RequestFactory
from django.urls import reverse

from oms.core import registry
from oms.intake import actions
from oms.intake.tests.fixtures import confirmed_order, header, lines, order_in_review
from oms.orders.models import OrderStatus, SalesOrder
from oms.web.verbs import Verb, input_form, post_verb, refused_page
from oms.workbench import tabs

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _url(order: Any, query: str = "") -> str:
    return reverse("workbench:order_detail", args=[order.pk]) + query


def _pending(org: dict[str, Any]) -> Any:
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    return actions.submit_order(actor=org["sales"], order=order)


def _panel_keys(response: Any) -> list[str]:
    return [p.key for p in response.context["panels"]]


# --- tabs ---------------------------------------------------------------------------------------


def test_the_info_tab_shows_the_orders_facts_and_check_but_not_its_history(
    client: Any, org: dict[str, Any]
) -> None:
    client.force_login(org["head"])
    body = client.get(_url(_pending(org), "?tab=info")).content.decode()
    assert 'data-testid="order-facts"' in body and 'data-testid="check-report"' in body
    assert 'data-testid="history"' not in body and 'data-testid="order-lines"' not in body


def test_the_lines_tab_shows_the_lines_and_no_panel(client: Any, org: dict[str, Any]) -> None:
    client.force_login(org["head"])
    response = client.get(_url(_pending(org), "?tab=lines"))
    assert 'data-testid="order-lines"' in response.content.decode()
    assert _panel_keys(response) == []


def test_the_records_tab_shows_timeline_history_and_the_tracking_panel(
    client: Any, org: dict[str, Any]
) -> None:
    client.force_login(org["head"])
    response = client.get(_url(_pending(org), "?tab=records"))
    body = response.content.decode()
    assert 'data-testid="timeline"' in body and 'data-testid="history"' in body
    assert _panel_keys(response) == ["tracking"]


def test_each_registered_panel_is_read_only_in_its_own_tab(client: Any, org: dict[str, Any]) -> None:
    client.force_login(org["sales"])
    order = order_in_review(org)
    by_tab = {t.key: _panel_keys(client.get(_url(order, f"?tab={t.key}"))) for t in tabs.TABS}
    assert by_tab == {
        "info": [],
        "lines": [],
        "review": ["review"],
        "contract": ["contracts"],
        "execution": ["fulfilment", "quality"],
        "delivery": ["delivery"],
        "billing": ["billing"],
        "changes": ["changes"],
        "records": ["tracking"],
    }


def test_a_panel_registered_without_a_tab_goes_beside_its_apps_else_to_the_first_tab() -> None:
    def panel(key: str, template: str) -> registry.OrderPanel:
        return registry.OrderPanel(key, "—", template, lambda r, o: {}, order=55)

    assert [
        tabs.tab_of(panel("payments", "billing/_payments.html")),
        tabs.tab_of(panel("records", "x/_panel.html")),
        tabs.tab_of(panel("other", "x/_panel.html")),
    ] == ["billing", "records", "info"]


def test_the_order_opens_on_the_tab_of_its_stage_and_an_unknown_tab_is_ignored(
    client: Any, org: dict[str, Any]
) -> None:
    client.force_login(org["sales"])
    order = order_in_review(org)
    assert client.get(_url(order)).context["tab"] == "review"
    assert client.get(_url(order, "?tab=nonsense")).context["tab"] == "review"
    assert client.get(_url(order, "?tab=lines")).context["tab"] == "lines"


def test_each_tab_link_is_a_real_address_and_loads_the_tab_by_htmx(client: Any, org: dict[str, Any]) -> None:
    client.force_login(org["head"])
    order = _pending(org)
    body = client.get(_url(order)).content.decode()
    here = _url(order)
    assert f'href="{here}?tab=records"' in body
    assert f'hx-get="{here}?tab=records&amp;partial=1"' in body
    assert f'hx-push-url="{here}?tab=records"' in body


def test_a_partial_request_returns_only_the_pane_and_the_refreshed_header(
    client: Any, org: dict[str, Any]
) -> None:
    client.force_login(org["head"])
    response = client.get(_url(_pending(org), "?tab=lines&partial=1"), **HX)
    body = response.content.decode().strip()
    assert body.startswith('<div id="order-pane"') and "<html" not in body and "oms-menu" not in body
    assert 'data-testid="order-lines"' in body
    assert body.count('hx-swap-oob="true"') == 3  # header with the stage bar, toolbar, tabs
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#order-pane", "outerHTML")


def test_restoring_the_page_from_history_gets_the_whole_page(client: Any, org: dict[str, Any]) -> None:
    client.force_login(org["head"])
    response = client.get(_url(_pending(org), "?tab=lines"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX)
    assert "<html" in response.content.decode()


# Measured on an order in review (the statements of the header, toolbar and tabs are shared:
# session, user, the order, its open items, the unread count), with a little room.
BOUNDS = {
    None: 15,  # the whole page, opening on the review tab
    "info": 12,
    "lines": 12,
    "review": 15,
    "contract": 13,
    "execution": 27,
    "delivery": 11,
    "billing": 11,
    "changes": 13,
    "records": 15,
}


@pytest.mark.parametrize("tab", list(BOUNDS))
def test_the_page_and_each_tab_take_a_bounded_number_of_queries(
    client: Any, org: dict[str, Any], django_assert_max_num_queries: Any, tab: str | None
) -> None:
    client.force_login(org["sales"])
    order = order_in_review(org)
    with django_assert_max_num_queries(BOUNDS[tab]):
        response = client.get(_url(order, f"?tab={tab}&partial=1" if tab else ""))
    assert response.status_code == 200


# --- the toolbar --------------------------------------------------------------------------------


def test_the_toolbar_offers_the_author_of_a_draft_its_submission(client: Any, org: dict[str, Any]) -> None:
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    client.force_login(org["sales"])
    names = [a.name for a in client.get(_url(order)).context["toolbar"]]
    assert names == ["submit", "cancel_draft"]


def test_the_toolbar_never_shows_an_action_the_user_may_not_take(client: Any, org: dict[str, Any]) -> None:
    """B-6: the preliminary check is the sales head's; the salesperson who entered it sees none of it."""
    order = _pending(org)
    client.force_login(org["sales"])
    response = client.get(_url(order))
    assert [a.name for a in response.context["toolbar"]] == []
    assert 'data-testid="do-pass_check"' not in response.content.decode()
    client.force_login(org["head"])
    names = [a.name for a in client.get(_url(order)).context["toolbar"]]
    assert names == ["pass_check", "request_info", "escalate"]


def test_a_blocked_action_is_disabled_with_its_reasons_beside_it(client: Any, org: dict[str, Any]) -> None:
    """B-6: a draft of a frozen customer cannot be submitted; the button says why."""
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    type(order.customer).objects.filter(pk=order.customer_id).update(blocked=True, blocked_reason="欠款")
    why = f"客户 {order.customer} 已冻结：欠款"
    client.force_login(org["sales"])
    response = client.get(_url(order))
    submit = next(a for a in response.context["toolbar"] if a.name == "submit")
    assert submit.reasons == (why,)
    body = response.content.decode()
    assert f'data-testid="do-submit" disabled aria-describedby="why-submit" title="{why}"' in body
    assert f'<small class="text-danger" id="why-submit" data-testid="why-submit">{why}</small>' in body


def test_another_apps_registered_action_is_offered_with_its_guards_reason(
    client: Any, org: dict[str, Any]
) -> None:
    """F-1, E-2: the sales head may release a confirmed order, not before its contract is signed."""
    order = confirmed_order(org)
    client.force_login(org["head"])
    toolbar = client.get(_url(order)).context["toolbar"]
    release = next(a for a in toolbar if a.name == "release")
    assert release.url == reverse("fulfilment:execution", args=[order.pk, "release"])
    assert release.reasons == ("合同尚未签订，不能下达。",)
    client.force_login(org["prod"])
    assert [a.name for a in client.get(_url(order)).context["toolbar"]] == []


# --- in place -----------------------------------------------------------------------------------


def test_an_action_posted_by_htmx_answers_with_the_tab_it_came_from(client: Any, org: dict[str, Any]) -> None:
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    client.force_login(org["sales"])
    response = client.post(
        reverse("workbench:order_transition", args=[order.pk, "submit"]),
        follow=True,
        HTTP_HX_CURRENT_URL=f"http://testserver{_url(order, '?tab=lines')}",
        **HX,
    )
    assert SalesOrder.objects.get(pk=order.pk).status == OrderStatus.PENDING_CHECK
    assert response.templates[0].name == "workbench/_order_partial.html"
    assert response.context["tab"] == "lines"
    assert "提交初审：已完成。" in response.content.decode()


def test_the_tab_header_of_an_in_place_form_wins_over_the_address(client: Any, org: dict[str, Any]) -> None:
    client.force_login(org["head"])
    order = _pending(org)
    response = client.get(
        _url(order),
        HTTP_OMS_TAB="records",
        HTTP_HX_CURRENT_URL=f"http://testserver{_url(order, '?tab=lines')}",
        **HX,
    )
    assert response.context["tab"] == "records"


def test_without_htmx_an_action_still_redirects_to_the_order_page(client: Any, org: dict[str, Any]) -> None:
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    client.force_login(org["sales"])
    response = client.post(reverse("workbench:order_transition", args=[order.pk, "submit"]))
    assert (response.status_code, response["Location"]) == (302, _url(order))


class _NeedsText(forms.Form):
    text = forms.CharField()


def _hx_post(org: dict[str, Any], current: str) -> Any:
    request = RequestFactory().post("/x/", {"text": ""}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=current)
    request.user = org["sales"]
    return request


def test_a_refused_form_posted_in_place_comes_back_alone_with_what_was_typed(org: dict[str, Any]) -> None:
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    ran: list[Any] = []
    verb = Verb(
        run=lambda *args: ran.append(args), form=input_form(_NeedsText), template="workbench/tabs/lines.html"
    )

    def redisplay(request: Any, target: Any, handler: Any, form: Any, errors: Any, status: int) -> Any:
        return refused_page(
            request, order=target, form_template=handler.template, form=form, errors=errors, status=status
        )

    response = post_verb(
        _hx_post(org, "http://testserver/"),
        verbs={"x": verb},
        verb="x",
        target=order,
        back=_url(order),
        redisplay=redisplay,
    )
    body = response.content.decode()
    assert (response.status_code, ran) == (422, [])
    assert (
        body.lstrip().startswith('<div class="oms-refused" data-testid="action-form">')
        and "<html" not in body
    )
    assert "这个字段是必填项。" in body


def test_an_action_posted_in_place_from_another_page_is_sent_there_whole(org: dict[str, Any]) -> None:
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    verb = Verb(run=lambda *args: None, form=input_form(_NeedsText))
    request = RequestFactory().post(
        "/x/", {"text": "ok"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/elsewhere/"
    )
    request.user = org["sales"]
    from django.contrib.messages.storage.fallback import FallbackStorage

    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    response = post_verb(
        request,
        verbs={"x": verb},
        verb="x",
        target=order,
        back=_url(order),
        redisplay=lambda *a: None,  # type: ignore[arg-type,return-value]
    )
    assert (response.status_code, response["HX-Redirect"]) == (200, _url(order))
