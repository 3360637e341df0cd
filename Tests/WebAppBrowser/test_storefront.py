"""The storefront in a real headless Chromium (Debian's `chromium`, driven by Playwright).

The eight scenarios of the storefront issue, against real services (Tests/PythonSupport/
eshop_system.py). Every wait is Playwright's auto-waiting `expect`, which polls until a deadline;
nothing sleeps. Screenshots of the catalog, an item, a basket and an order page go to
ESHOP_ARTIFACTS_DIR.
"""

import os
import re
import unittest

from playwright.sync_api import expect, sync_playwright

from eshop_system import System

PASSWORD = "Pass123$"
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
ARTIFACTS = os.environ.get("ESHOP_ARTIFACTS_DIR", ".build/webapp-browser")
expect.set_options(timeout=15_000)

# Every img has alt text, every form field a label, and there is exactly one h1.
A11Y_CHECK = """() => {
  const problems = [];
  for (const image of document.querySelectorAll("img")) {
    if (!(image.getAttribute("alt") || "").trim()) problems.push("img without alt: " + image.getAttribute("src"));
  }
  for (const field of document.querySelectorAll("input, select, textarea")) {
    if (field.type === "hidden") continue;
    const labelled = (field.id && document.querySelector('label[for="' + CSS.escape(field.id) + '"]'))
      || field.closest("label") || field.getAttribute("aria-label") || field.getAttribute("aria-labelledby");
    if (!labelled) problems.push("field without label: " + (field.name || field.id));
  }
  const headings = document.querySelectorAll("h1").length;
  if (headings !== 1) problems.push(headings + " h1 elements");
  return problems;
}"""


class StorefrontTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ARTIFACTS, exist_ok=True)
        cls.system = System()
        try:
            cls.system.start()
        except Exception:
            print(cls.system.logs())
            cls.system.stop()
            raise
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        cls.system.stop()

    def setUp(self):
        self.contexts = []

    def tearDown(self):
        for context in self.contexts:
            context.close()
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and not outcome.success:
            print(self.system.logs())

    # Helpers

    def new_page(self):
        context = self.browser.new_context(base_url=self.system.base_url, viewport={"width": 1280, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        return page

    def sign_in(self, page, user):
        page.goto("/signin")
        page.get_by_label("User name").fill(user)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".who")).to_have_text(re.compile(r"\S"))

    def add_to_basket(self, page, item_path, quantity=1):
        page.goto(item_path)
        page.get_by_label("Quantity").fill(str(quantity))
        page.get_by_role("button", name="Add to basket").click()
        expect(page.get_by_role("status")).to_have_text("Added to your basket.")

    def item_paths(self, page, count):
        page.goto("/")
        links = page.locator(".grid .card a")
        expect(links.first).to_be_visible()
        return [links.nth(i).get_attribute("href") for i in range(count)]

    def check_out(self, page):
        page.goto("/checkout")
        return self.place_order(page)

    def place_order(self, page):
        """Fills the checkout form on the page and sends it; answers the order id."""
        page.get_by_label("Street").fill("1 Main St")
        page.get_by_label("City").fill("Seattle")
        page.get_by_label("State or region").fill("WA")
        page.get_by_label("Country").fill("US")
        page.get_by_label("Postal code").fill("98101")
        page.get_by_label("Card number").fill("4111111111111111")
        page.get_by_label("Expiry (MM/YY)").fill("12/39")
        page.get_by_label("Security code").fill("123")
        page.get_by_role("button", name="Place order").click()
        expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
        # The order page itself, not "Not found": Basket accepts the checkout before Ordering
        # has stored the order, and the storefront waits for it before it redirects.
        expect(page.locator("#order-status")).to_be_visible()
        return page.url.rsplit("/", 1)[1]

    def screenshot(self, page, name):
        page.screenshot(path=os.path.join(ARTIFACTS, name + ".png"))

    # 1
    def test_1_a_guest_browses_filters_pages_and_opens_an_item(self):
        page = self.new_page()
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Catalog")
        cards = page.locator(".grid .card")
        expect(cards).to_have_count(12)
        expect(page.locator(".pager")).to_contain_text("Page 1 of 3")
        self.screenshot(page, "catalog")

        # Paging
        first_page = cards.locator(".name").all_inner_texts()
        page.get_by_role("link", name="Next").click()
        expect(page.locator(".pager")).to_contain_text("Page 2 of 3")
        self.assertNotEqual(first_page, cards.locator(".name").all_inner_texts())

        # Filters: a brand, then a brand and a type
        page.goto("/")
        page.get_by_label("Brand").select_option(index=1)
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(r"brand=\d+"))
        expect(page.get_by_label("Brand")).not_to_have_value("")
        brand_count = int(page.locator("#result-count").inner_text().split()[0])
        self.assertTrue(0 < brand_count < 36, brand_count)
        page.get_by_label("Type").select_option(index=1)
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(r"brand=\d+&type=\d+"))
        self.assertLessEqual(int(page.locator("#result-count").inner_text().split()[0]), brand_count)

        # Search: semantic when Catalog has it, else a name search that says so
        page.goto("/")
        page.get_by_label("Search").fill("Alpine")
        page.get_by_role("button", name="Show").click()
        mode = page.locator("#search-mode")
        expect(mode).to_be_visible()
        if mode.get_attribute("data-mode") == "name":
            expect(mode).to_contain_text("Semantic search is not available")
            names = cards.locator(".name").all_inner_texts()
            self.assertTrue(names and all(name.startswith("Alpine") for name in names), names)
        else:
            self.assertEqual(mode.get_attribute("data-mode"), "semantic")

        # An item
        name = cards.first.locator(".name").inner_text()
        cards.first.locator("a").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        expect(page.locator("#stock")).to_contain_text(re.compile(r"In stock|Out of stock"))
        expect(page.get_by_role("link", name="Sign in to buy")).to_be_visible()
        # The model worker is down: no "bought together" section.
        expect(page.locator(".together")).to_have_count(0)
        self.screenshot(page, "item")

    # 2, 3, 4
    def test_2_to_4_alice_checks_out_sees_paid_live_and_then_shipped(self):
        page = self.new_page()
        self.sign_in(page, "alice")
        first, second = self.item_paths(page, 2)
        self.add_to_basket(page, first)
        self.add_to_basket(page, second)
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(2)
        total_before = page.locator("#basket-total").inner_text()

        # Change a quantity
        line = page.locator(f'tr[data-product="{rows.first.get_attribute("data-product")}"]')
        line.get_by_role("spinbutton").fill("3")
        page.get_by_role("button", name="Update basket").click()
        expect(page.get_by_role("status")).to_have_text("Your basket was updated.")
        expect(line.get_by_role("spinbutton")).to_have_value("3")
        self.assertNotEqual(total_before, page.locator("#basket-total").inner_text())
        self.screenshot(page, "basket")

        # Field errors from Basket's problem+json appear next to the fields
        page.get_by_role("link", name="Check out").click()
        page.get_by_label("Card number").fill("1234")
        page.get_by_role("button", name="Place order").click()
        expect(page.locator("#cardNumber-error")).to_be_visible()
        expect(page.locator("#street-error")).to_be_visible()
        key = page.locator("input[name=idempotencyKey]").input_value()
        csrf = page.locator("input[name=_csrf]").first.input_value()

        order_id = self.place_order(page)  # the form as it came back, with the same key
        self.assertEqual(order_id, key, "the order id is the form's idempotency key")
        # A second submit of the same form (a double click, a resend) answers the same order.
        again = page.request.post("/checkout", form={
            "_csrf": csrf, "idempotencyKey": key, "street": "1 Main St", "city": "Seattle", "state": "WA", "country": "US",
            "zipCode": "98101", "cardNumber": "4111111111111111", "cardHolderName": "Alice Smith", "cardExpiration": "12/39",
            "cardSecurityCode": "123"})
        self.assertTrue(again.url.endswith("/orders/" + order_id), again.url)
        page.goto("/orders")
        expect(page.locator(f'a[href="/orders/{order_id}"]')).to_have_count(1)

        # 3: the order page follows the order to `paid` by itself
        page.goto("/orders/" + order_id)
        status = page.locator("#order-status")
        expect(status).to_have_attribute("data-status", re.compile(r"submitted|awaitingStockValidation|stockConfirmed"))
        page.evaluate("window.notReloaded = true")
        expect(status).to_have_attribute("data-status", "paid", timeout=30_000)
        expect(status).to_have_text("Paid")
        expect(page.locator("#status-history li[data-status=paid]")).to_have_count(1)
        self.assertTrue(page.evaluate("window.notReloaded === true"), "the page was reloaded")
        self.screenshot(page, "order")

        # 4: the admin ships it; alice's open page shows it
        admin = self.new_page()
        self.sign_in(admin, "admin")
        admin.goto("/admin")
        row = admin.locator(f'tr[data-order="{order_id}"]')
        row.get_by_role("button", name=re.compile("Ship")).click()
        expect(admin.get_by_role("status")).to_have_text("The order was shipped.")
        expect(admin.locator(f'tr[data-order="{order_id}"]')).to_have_count(0)
        expect(status).to_have_attribute("data-status", "shipped", timeout=15_000)
        expect(status).to_have_text("Shipped")
        self.assertTrue(page.evaluate("window.notReloaded === true"), "the page was reloaded")

    # 5
    def test_5_a_change_from_another_browser_is_reported_not_overwritten(self):
        first = self.new_page()
        self.sign_in(first, "bob")
        (path,) = self.item_paths(first, 1)
        self.add_to_basket(first, path, quantity=2)
        second = self.new_page()
        self.sign_in(second, "bob")
        second.goto("/basket")
        # The second browser changes the basket the first one shows.
        second.locator("tbody tr").first.get_by_role("spinbutton").fill("5")
        second.get_by_role("button", name="Update basket").click()
        expect(second.get_by_role("status")).to_have_text("Your basket was updated.")
        # The first one, still showing quantity 2, changes it to 7: refused and told why.
        first.locator("tbody tr").first.get_by_role("spinbutton").fill("7")
        first.get_by_role("button", name="Update basket").click()
        expect(first.locator("#basket-conflict")).to_be_visible()
        expect(first.locator("tbody tr").first.get_by_role("spinbutton")).to_have_value("5")
        second.reload()
        expect(second.locator("tbody tr").first.get_by_role("spinbutton")).to_have_value("5")

    # 6
    def test_6_a_product_named_like_a_script_renders_as_text(self):
        name = "<script>alert(1)</script>"
        admin = self.new_page()
        self.sign_in(admin, "admin")
        admin.goto("/admin")
        admin.get_by_label("Name", exact=True).fill(name)
        admin.get_by_label("Description").fill('<img src=x onerror="alert(2)">')
        admin.get_by_label("Price", exact=True).fill("9.99")
        admin.get_by_label("Units in stock").fill("5")
        admin.get_by_role("button", name="Create product").click()
        expect(admin.get_by_role("status")).to_have_text("The product was created.")
        link = admin.locator(".prices a", has_text=name)
        expect(link).to_have_count(1)
        path = link.get_attribute("href")

        guest = self.new_page()
        guest.goto(path)
        expect(guest.get_by_role("heading", level=1)).to_have_text(name)
        expect(guest.locator(".description")).to_have_text('<img src=x onerror="alert(2)">')
        guest.goto("/?q=" + "%3Cscript%3E")
        expect(guest.locator(".grid .card .name").first).to_have_text(name)
        self.assertEqual(guest.locator("script").count(), 1, "only our own site.js")
        self.assertEqual(guest.locator("main img[src=x]").count(), 0)
        self.assertEqual(guest.dialogs + admin.dialogs, [])

    # 7
    def test_7_a_form_post_without_the_csrf_token_is_refused(self):
        page = self.new_page()
        self.sign_in(page, "bob")
        (path,) = self.item_paths(page, 1)
        for form in ({"productId": path.rsplit("/", 1)[1], "quantity": "1"},
                     {"productId": path.rsplit("/", 1)[1], "quantity": "1", "_csrf": "forged"}):
            answer = page.request.post("/basket/items", form=form, max_redirects=0)
            self.assertEqual(answer.status, 403, form)
            self.assertIn("Form expired", answer.text())
        signed_out = page.request.post("/signout", form={}, max_redirects=0)
        self.assertEqual(signed_out.status, 403)
        page.goto("/basket")
        expect(page.locator(".who")).to_have_text("Bob Jones")

    # 8
    def test_8_every_page_labels_its_images_and_fields_and_works_by_keyboard(self):
        guest = self.new_page()
        (path,) = self.item_paths(guest, 1)
        pages = {"catalog": "/", "item": path, "search": "/?q=Alpine", "sign in": "/signin"}
        for name, url in pages.items():
            guest.goto(url)
            self.assertEqual(guest.evaluate(A11Y_CHECK), [], name)

        # Signing in and buying with the keyboard alone
        page = self.new_page()
        page.goto("/signin")
        for _ in range(10):
            if page.evaluate("document.activeElement && document.activeElement.id") == "username":
                break
            page.keyboard.press("Tab")
        self.assertEqual(page.evaluate("document.activeElement.id"), "username")
        page.keyboard.type("bob")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.locator(".who")).to_have_text("Bob Jones")
        page.goto(path)
        page.get_by_label("Quantity").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_have_text("Added to your basket.")

        for name, url in {"basket": "/basket", "checkout": "/checkout", "orders": "/orders"}.items():
            page.goto(url)
            self.assertEqual(page.evaluate(A11Y_CHECK), [], name)
        order_id = self.check_out(page)
        self.assertEqual(page.evaluate(A11Y_CHECK), [], "order")
        admin = self.new_page()
        self.sign_in(admin, "admin")
        admin.goto("/admin")
        self.assertEqual(admin.evaluate(A11Y_CHECK), [], "admin")
        self.assertTrue(order_id)


if __name__ == "__main__":
    unittest.main()
