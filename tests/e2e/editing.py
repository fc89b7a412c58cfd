"""Steps an editor takes in Wagtail's page editor, shared by the browser tests."""

from playwright.sync_api import expect


def publish_from_the_editor(page):
    publish = page.locator("button[name=action-publish]")
    toggle = page.locator("[data-w-dropdown-target=toggle]").last
    # The footer's menu opens once Wagtail's scripts have connected it; a click before that
    # does nothing, so click again until Publish shows.
    for _attempt in range(5):
        toggle.click()
        try:
            expect(publish).to_be_visible(timeout=2000)
            break
        except AssertionError:
            continue
    publish.click()
    expect(page.locator(".messages")).to_contain_text("published")
