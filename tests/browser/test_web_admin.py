"""The admin pages in a real browser: an admin adds a user and deactivates them (who then cannot
sign in), HR imports staff from CSV and sees each refused row's line number, HR sees only the
sections HR has, the audit log lists what was done."""

from __future__ import annotations

import re

import pytest

from .conftest import login, require_playwright

expect = require_playwright()

pytestmark = pytest.mark.browser

USER_ROW = "[data-testid=user-row]"


def test_web_admin_adds_a_user_and_deactivates_them(page, browser, app_url, shot):
    login(page, "admin", next_path="/admin/users")
    expect(page.get_by_test_id("admin-users-page")).to_be_visible()
    expect(page.locator(USER_ROW).first).to_be_visible()
    form = page.get_by_test_id("add-user-form")
    form.locator("input[name=name]").fill("Casey Nguyen")
    form.locator("input[name=email]").fill("casey.nguyen@example.com")
    form.locator("input[name=teams]").fill("Tier 1 North")
    form.locator("input[name=password]").fill("casey-pass-123")
    page.get_by_test_id("new-user-role").click()
    page.get_by_role("option", name="agent").click()
    page.get_by_test_id("add-user").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Casey Nguyen was added")
    row = page.locator(f"{USER_ROW}[data-user='Casey Nguyen']")
    expect(row.get_by_test_id("user-role")).to_have_text("Agent")
    expect(row.get_by_test_id("user-status")).to_have_text("Active")
    shot(page, "admin-users")

    # The new user signs in with the first password.
    other = browser.new_context(base_url=app_url)
    try:
        tab = other.new_page()
        login(tab, "casey.nguyen@example.com", password="casey-pass-123")
        expect(tab.get_by_test_id("nav-conversations")).to_be_visible()
    finally:
        other.close()

    # A lost password: the admin sets a new one in the edit dialog; the old one stops working.
    row.get_by_test_id("edit-user").click()
    page.get_by_test_id("reset-password").fill("casey-new-pass-456")
    page.get_by_test_id("set-password").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Casey Nguyen has a new password")
    other = browser.new_context(base_url=app_url)
    try:
        tab = other.new_page()
        login(tab, "casey.nguyen@example.com", password="casey-new-pass-456")
        expect(tab.get_by_test_id("nav-conversations")).to_be_visible()
    finally:
        other.close()

    row.get_by_test_id("deactivate-user").click()
    expect(row.get_by_test_id("user-status")).to_have_text("Deactivated")
    expect(page.get_by_test_id("notice")).to_contain_text("deactivated")

    # ...and no longer can.
    other = browser.new_context(base_url=app_url)
    try:
        tab = other.new_page()
        tab.goto("/login")
        expect(tab.get_by_test_id("login-submit")).to_be_enabled()
        tab.locator("#email").fill("casey.nguyen@example.com")
        tab.locator("#password").fill("casey-new-pass-456")
        tab.get_by_test_id("login-submit").click()
        expect(tab).to_have_url(re.compile(r"error=deactivated"))
        expect(tab.get_by_test_id("login-error")).to_contain_text("deactivated")
    finally:
        other.close()

    page.goto("/admin/audit")
    expect(page.locator("[data-testid=audit-row][data-action='user.deactivate']")).to_have_count(1)


def test_web_admin_hr_import_reports_refused_rows_by_line(page, tmp_path, shot):
    csv = tmp_path / "staff.csv"
    csv.write_text(
        "name,email,role,team\n"
        "Ines Moreau,ines.moreau@example.com,trainee,Tier 1 North\n"
        "Otto Berg,not-an-email,agent,Tier 1 North\n"
        "Pia Lund,pia.lund@example.com,admin,\n",
        encoding="utf-8",
    )
    login(page, "hr", next_path="/admin/import")
    expect(page.get_by_test_id("admin-import-page")).to_be_visible()
    # HR has Users and Staff import, nothing an admin alone may do.
    expect(page.get_by_test_id("admin-tab-users")).to_be_visible()
    expect(page.get_by_test_id("admin-tab-tokens")).to_have_count(0)
    expect(page.get_by_test_id("admin-tab-audit")).to_have_count(0)
    page.locator("[data-testid=staff-upload] input[type=file]").set_input_files(str(csv))
    expect(page.get_by_test_id("notice")).to_contain_text("1 person added")
    refused = page.get_by_test_id("refused-row")
    expect(refused).to_have_count(2)
    expect(refused.nth(0)).to_have_attribute("data-line", "3")
    expect(refused.nth(0).get_by_test_id("refused-line")).to_have_text("Line 3")
    expect(refused.nth(0).get_by_test_id("refused-reason")).to_contain_text("not an email")
    expect(refused.nth(1)).to_have_attribute("data-line", "4")
    shot(page, "admin-import")

    # HR's user list holds trainees and agents only, without admin controls.
    page.get_by_test_id("admin-tab-users").click()
    expect(page.locator(f"{USER_ROW}[data-user='Ines Moreau']")).to_be_visible()
    expect(page.locator(f"{USER_ROW}[data-user='Alex Admin']")).to_have_count(0)
    expect(page.get_by_test_id("deactivate-user")).to_have_count(0)
