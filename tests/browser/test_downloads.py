"""Issue 24.2 in the browser: the "generating…" page asks again every two seconds until the
worker has written the file, then offers it; "my downloads" lists it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_smoke import _login

_QUEUE = (
    "from oms.accounts.models import User; from oms.web.models import GeneratedFile;"
    "print(GeneratedFile.objects.create(requested_by=User.objects.get(username='admin'), kind='list.xlsx',"
    " title='客户', params={'path': '/master/customers/', 'query': 'export=xlsx', 'language': 'zh-hans'}).pk)"
)


def test_the_generating_page_polls_until_the_file_is_ready(page: Any, server_manage: Any) -> None:
    _login(page, "admin")
    pk = int(server_manage("shell", "-c", _QUEUE).split()[-1])
    page.goto(f"/downloads/{pk}/")
    box = page.locator("[data-testid=generated-file]")
    expect(box).to_have_attribute("data-status", "queued")
    # The worker's part, run in the server's database while the page waits.
    server_manage("shell", "-c", f"from oms.web.downloads.actions import generate; generate({pk})")
    expect(box).to_have_attribute("data-status", "done", timeout=10_000)
    with page.expect_download() as info:
        page.click("[data-testid=download-link]")
    assert info.value.suggested_filename.endswith(".xlsx")
    page.locator("nav[aria-label='主菜单']").get_by_text("我的下载", exact=True).click()
    expect(page.locator("[data-testid=downloads] tbody tr[data-status=done]")).to_have_count(1)
