# Shopper-facing text of the kiosk, English. Every string on screen comes from here.
language-name = English

attract-title = Every size, right here
attract-subtitle = Scan the barcode on the shoe's tag to see every size we have, in this store or delivered to your home.
attract-start = Scan a shoe
attract-type = Type the number instead
attract-hint-1 = The barcode is on the tag inside the shoe's tongue.
attract-hint-2 = Not in your size? We ship it to your home for free.
attract-hint-3 = No account needed. It takes a minute.
tag-caption = Find this label inside the tongue of the display shoe

scan-title = Show the barcode to the camera
scan-title-camera-and-scanner = Show the barcode to the camera, or scan it with the handheld scanner
scan-title-scanner = Scan the barcode with the handheld scanner
scan-title-type = Type the number under the barcode
scan-aim = Hold the tag inside the frame
scan-camera-off = No camera on this kiosk. Type the number printed under the barcode.
scan-camera-starting = Starting the camera…
scan-camera-unavailable = The camera is not working right now. Type the number printed under the barcode, or ask an associate.
scan-camera-replay = Camera preview
scan-type-title = Or type the number under the barcode
scan-keypad-clear = Clear
scan-keypad-delete = Delete
scan-keypad-search = Search
scan-looking = Looking it up…
scan-not-found = We don't have that shoe in our catalog. An associate can help.
scan-why-empty = Type the number printed under the barcode first.
scan-why-digits = Only the digits under the barcode are needed.
scan-why-length = That is { $count } digits. The number under a barcode has 8, 12, 13 or 14.
scan-why-check = One of the digits looks wrong. Compare each group with the label and try again.
scan-why-product = That code is not a shoe's product number. Use the barcode on the tag inside the tongue.
scan-broken = Something went wrong looking it up. Please call an associate.

nav-start-over = Start over
nav-back = Back
nav-call-associate = Call an associate
nav-high-contrast-on = High contrast: on
nav-high-contrast-off = High contrast: off
associate-called = An associate is on the way.

product-price = { $price }
# A price: the number is formatted for the language; put the currency symbol where it goes.
money = { $symbol }{ $amount }
product-fit = Fit: { $note }
product-sizes = Choose your size
product-size-system = Sizes in
product-scanned = This is the shoe you scanned
product-scanned-tag = Scanned
product-us-men = US sizes are men's
product-us-women = US sizes are women's
product-width-narrow = N = narrow fit
product-width-wide = W = wide fit
product-width-extra-wide = XW = extra wide fit
status-in-store = In this store
status-in-store-few = Only { $count } left
status-ship = Ship to home
status-ship-by = Arrives { $date }
status-ship-free = Free delivery
status-unavailable = Unavailable
status-checking = Checking the warehouse…
warehouse-live = Warehouse stock checked just now.
warehouse-cached = Warehouse stock from { $minutes } minutes ago; the warehouse is not answering right now.
warehouse-unavailable = We can't reach the warehouse right now. Sizes in this store can still be brought to you.

instore-confirm-title = Bring size { $size } to you?
instore-where = An associate brings it to this kiosk ({ $kiosk }). Please wait here.
instore-also = Also bring { $size }
instore-cancel = Cancel
instore-confirm = Yes, bring it
instore-title = An associate will bring you size { $size }
instore-sending = Sending your request…
instore-sent = Request sent. Please wait here — it usually takes a few minutes.
instore-queued = Request saved. An associate will bring it shortly.
instore-done = Done

order-review-title = Ship to your home
order-item = Item
order-size = Size
order-price = Price
order-shipping = Delivery
order-delivery = Arrives by
order-pay-note = You pay at the till with the code you get next. Nothing is charged now.
order-continue = Continue
order-form-title = Where should we send it?
field-name = Full name
field-street = Street and number
field-postcode = Postcode
field-city = City
field-country = Country
field-email = Email
field-phone = Phone
error-required = Please fill this in.
error-country = Pick the country from the list.
error-postcode = Not a postcode in { $country }. For example: { $example }
error-phone = This phone number looks too short.
error-contact = Give an email or a phone number so we can reach you about this order.
error-email = This email address looks incomplete.
order-check = Check my address
check-title = Check your address
check-town = Postcode and city
check-country = Country
check-change = Change
country-pick = Where should it go?
order-confirm = Place order
order-sending = Placing your order…
order-failed = We saved your order but could not reach the warehouse. It will be sent automatically.
keyboard-space = Space
keyboard-done = Done
keyboard-next = Next ›
# The extra row of letters on the on-screen keyboard (up to 10, no spaces between needed).
keyboard-extra = 'éèêëäöüßñç

done-title = Thank you! Your order number is
done-pay = Pay at the till before we ship: show this code there.
done-next = Once paid, it arrives by { $date }.
done-reset = This screen clears itself in { $seconds } seconds.
done-email = E-mail me this code ({ $email })
done-email-sending = Sending the code…
done-email-sent = Code sent to { $email }.
done-email-failed = We could not send it just now. Take a photo of the code, or try again.
done-email-again = Try again
done-finish = Finish

idle-title = Are you still there?
idle-body = This screen will clear in { $seconds } seconds to protect your details.
idle-more = More time

outoforder-title = This kiosk is out of order
outoforder-staff = For staff: fix the problem below, then restart the kiosk.
starting = Starting…

# Manager mode (staff only).
pin-title = Manager PIN
pin-enter = Enter
pin-cancel = Cancel
pin-checking = Checking…
pin-wrong = Wrong PIN. { $left } more { $left ->
    [one] try
   *[other] tries
} before manager mode locks.
pin-locked = Too many wrong PINs. Manager mode is locked until { $until } (in { $minutes } min).
pin-forgot = Forgot the PIN? Someone with access to this kiosk's computer sets a new one with: kiosk manager set-pin
pin-problem = { $problem }

mgr-title = Manager
mgr-logout = Log out
mgr-idle-title = Still managing?
mgr-idle-body = Manager mode closes in { $seconds } seconds if nobody touches the screen.
mgr-idle-more = Stay logged in
mgr-tab-status = Status
mgr-tab-orders = Orders
mgr-tab-analytics = Analytics
mgr-tab-camera = Camera
mgr-refresh = Refresh
mgr-sync-title = Inventory sync
mgr-sync-last = Last sync { $when } ({ $age } ago)
mgr-sync-never = Never synced with the warehouse
mgr-sync-stale = Older than { $limit }: sync now.
mgr-sync-now = Sync now
mgr-sync-cancel = Cancel
mgr-sync-running = { $feed }: page { $page } of { $total }
mgr-sync-running-open = { $feed }: page { $page }
mgr-sync-done = Synced: { $added } added, { $changed } changed, { $removed } removed, in { $seconds } s
mgr-sync-failed = Sync failed: { $error }
mgr-sync-cancelled = Sync cancelled. Pages already received are kept; the next sync continues from there.
mgr-warehouse-title = Warehouse
mgr-warehouse-ok = Reachable ({ $ms } ms)
mgr-warehouse-down = Not reachable: { $error }
mgr-warehouse-checking = Checking…
mgr-import-title = Import stock file
mgr-import-none = No stock files (*.csv) in { $dirs }.
mgr-import-running = Importing { $file }…
mgr-import-done = Imported { $imported } of { $rows } rows ({ $unknown } unknown sizes, { $removed } removed).
mgr-import-failed = Not imported: { $error }
mgr-import-preview = { $file }: { $rows } rows ({ $unknown } sizes not in the catalog). Nothing is changed until you choose.
mgr-import-merge-does = Update only the listed sizes: { $imported } sizes get the file's counts; every other size keeps its stock.
mgr-import-replace-does = Replace the whole stock list: { $imported } sizes from the file; { $removed } of the { $stocked } sizes in stock now are not in it and become 0.
mgr-import-replace-refused = Replacing would set { $removed } of { $stocked } sizes to 0: this file looks like part of the stock, not all of it. To replace anyway, use kiosk import-stock --force on the kiosk's computer.
mgr-import-merge = Update only the listed sizes
mgr-import-replace = Replace the whole stock
mgr-import-cancel = Cancel
mgr-stats-title = This kiosk
mgr-stats = { $styles } styles, { $sizes } sizes, { $stock } in store stock, { $events } shopper events
mgr-version-title = Version and settings
mgr-orders-title = Dropship orders waiting
mgr-orders-none = No order is waiting: every order reached the warehouse.
mgr-orders-recent = Recent orders
mgr-orders-recent-none = No order placed at this kiosk yet.
mgr-order-confirmed = At the warehouse, its number { $number }
mgr-orders-retry = Retry
mgr-orders-retry-all = Retry all now
mgr-order-pending = Waiting to send (attempt { $attempts })
mgr-order-sending = Sending
mgr-order-rejected = Refused by the warehouse
mgr-order-error = Last error: { $error }
mgr-order-needs-checking = To check: the platform may already have it. Look there first; send again only if it is not there
mgr-order-abandoned = Abandoned: not confirmed in time; the shopper's details were deleted
mgr-orders-send-again = Send again
mgr-camera-title = Camera test
mgr-camera-hint = Hold a tag in front of the camera, or scan it with the barcode scanner: the code read shows below.
mgr-camera-read = Read: { $code }
mgr-camera-none = Nothing read yet.
mgr-camera-off = The camera is switched off in kiosk.toml ([camera] enabled = false).
mgr-camera-down = The camera is not working. Check the cable; the kiosk re-opens it by itself.
mgr-period-7 = 7 days
mgr-period-30 = 30 days
mgr-period-365 = 1 year
mgr-analytics-loading = Loading…
mgr-analytics-summary = { $scans } scans · { $lost } sizes asked for that were not in store
chart-scans_per_day = Scans per day
chart-scans_per_hour = Scans by hour of the day
chart-funnel = From scan to order (shoppers)
chart-outcomes = How visits ended
chart-lost_by_style = Lost sales by style (not in store)
chart-lost_by_size = Lost sales by size
bar-scanned = Scanned
bar-sized = Chose a size
bar-converted = Ordered / asked
bar-in_store = In store
bar-dropship = Dropship
bar-associate = Associate
bar-walked_away = Walked away
bar-read_failed = Failed reads
mgr-orders-waiting = { $count ->
    [one] 1 dropship order is waiting: see Orders
   *[other] { $count } dropship orders are waiting: see Orders
}
mgr-camera-state-ok = Working (last seen on the scan screen). Test it under Camera.
mgr-camera-state-off = Switched off in kiosk.toml.
mgr-quit = Quit kiosk
mgr-quit-confirm = Quit the kiosk program? Shoppers see nothing here until it is started again.
mgr-quit-keep = Keep running
mgr-quit-now = Quit now

# Countries a parcel can go to (assets/address/postcodes.toml), as the list shows them.
country-AT = Austria
country-BE = Belgium
country-BG = Bulgaria
country-CH = Switzerland
country-CY = Cyprus
country-CZ = Czechia
country-DE = Germany
country-DK = Denmark
country-EE = Estonia
country-ES = Spain
country-FI = Finland
country-FR = France
country-GB = United Kingdom
country-GR = Greece
country-HR = Croatia
country-HU = Hungary
country-IE = Ireland
country-IT = Italy
country-LT = Lithuania
country-LU = Luxembourg
country-LV = Latvia
country-MT = Malta
country-NL = Netherlands
country-NO = Norway
country-PL = Poland
country-PT = Portugal
country-RO = Romania
country-SE = Sweden
country-SI = Slovenia
country-SK = Slovakia
country-US = United States

# Catalog colours (the catalog's word, lower case, spaces as '-'); others show as written.
colour-black = Black
colour-burgundy = Burgundy
colour-forest-green = Forest Green
colour-grey = Grey
colour-navy = Navy
colour-red = Red
colour-sand = Sand
colour-sky-blue = Sky Blue
colour-tan = Tan
colour-white = White
mgr-analytics-charts = Charts
mgr-analytics-reorder = What to reorder
mgr-reorder-title = Sizes shoppers asked for that this store did not have, { $from } to { $to }, most asked first
mgr-reorder-counts = { $asked } asked · { $stock } in store now
mgr-reorder-none = No shopper asked for a size this store did not have in this period.
mgr-reorder-more = … and { $count } more in the saved file.
mgr-reorder-save = Save as a spreadsheet file (CSV)
mgr-reorder-no-target = Plug in a USB stick, or set [manager] import_dirs in kiosk.toml to a shared folder.
mgr-reorder-to-stick = To the USB stick { $name }
mgr-reorder-to-share = To the shared folder { $name }
mgr-reorder-saving = Saving…
mgr-reorder-saved = Saved: { $path }
mgr-reorder-failed = Not saved: { $error }
mgr-import-file = { $when } · { $size } · { $rows } rows
mgr-import-undo = Undo the import of { $file } ({ $when })
mgr-import-undone = The import of { $file } is undone: the stock of { $sizes } sizes is back as it was.
