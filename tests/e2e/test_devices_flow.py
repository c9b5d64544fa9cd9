"""End to end: from the devices page, end all other sessions after re-authenticating."""

import pytest

from tests.e2e.test_skeleton_flow import PASSWORD, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_out_everywhere_else_asks_for_the_password_first(new_context, base_url):
    UserFactory(username="alice")
    laptop = new_context().new_page()
    phone = new_context().new_page()
    sign_in(laptop, base_url, "alice")
    sign_in(phone, base_url, "alice")

    laptop.goto(f"{base_url}/account/devices/")
    assert laptop.locator("[data-test=session-row]").count() == 2
    assert laptop.locator("[data-test=this-device]").count() == 1
    laptop.click("[data-test=end-others]")
    # allauth asks for the password again, then replays the suspended POST.
    laptop.wait_for_url("**/accounts/reauthenticate/**")
    laptop.fill("input[name=password]", PASSWORD)
    laptop.click("form[action*=reauthenticate] button[type=submit]")
    laptop.wait_for_url("**/account/devices/")

    assert "Ended 1 other session." in laptop.inner_text("body")
    assert laptop.locator("[data-test=session-row]").count() == 1
    phone.goto(f"{base_url}/account/devices/")
    assert "/accounts/login/" in phone.url
