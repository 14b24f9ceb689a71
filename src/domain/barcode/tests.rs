use proptest::prelude::*;

use super::*;

fn gtin(s: &str) -> String {
    parse(s, None)
        .map(|scan| scan.gtin.to_string())
        .unwrap_or_else(|e| format!("ERR {e}"))
}

#[test]
fn plain_codes_normalise_to_gtin14() {
    let cases = [
        // (input, expected GTIN-14)
        ("4006381333931", "04006381333931"),      // EAN-13
        ("036000291452", "00036000291452"),       // UPC-A
        ("96385074", "00000096385074"),           // EAN-8
        ("10614141000415", "10614141000415"),     // GTIN-14
        (" 4006381333931\r\n", "04006381333931"), // keyboard wedge adds Enter
    ];
    for (input, want) in cases {
        assert_eq!(gtin(input), want, "input {input:?}");
    }
}

#[test]
fn upc_e_expands_to_upc_a() {
    // Known pairs from the UPC-E expansion rules (one per last-digit rule).
    let cases = [
        ("01234505", "012000003455"), // d6 = 0..2
        ("04252614", "042100005264"), // d6 = 0..2 with 1
        ("01234531", "012300000451"), // d6 = 3
        ("01234543", "012340000053"), // d6 = 4
        ("01234558", "012345000058"), // d6 = 5..9
    ];
    for (upc_e, upc_a) in cases {
        let scan = parse(upc_e, Some(Symbology::UpcE)).expect(upc_e);
        assert_eq!(scan.gtin.to_string(), format!("00{upc_a}"), "{upc_e}");
        assert_eq!(scan.carrier, Carrier::UpcE);
    }
}

#[test]
fn eight_digits_without_symbology_fall_back_to_upc_e() {
    // 01234505 fails the EAN-8 check digit but is a valid UPC-E.
    assert_eq!(gtin("01234505"), "00012000003455");
}

#[test]
fn bad_inputs_say_why() {
    let cases: [(&str, BarcodeError); 6] = [
        ("", BarcodeError::Empty),
        ("   ", BarcodeError::Empty),
        (
            "4006381333932",
            BarcodeError::CheckDigit {
                expected: 1,
                found: 2,
            },
        ),
        (
            "400638133393",
            BarcodeError::CheckDigit {
                expected: 0,
                found: 3,
            },
        ),
        ("40063813339", BarcodeError::WrongLength { len: 11 }),
        (
            "40063A1333931",
            BarcodeError::NotDigit {
                position: 6,
                found: 'A',
            },
        ),
    ];
    for (input, want) in cases {
        assert_eq!(parse(input, None), Err(want), "input {input:?}");
    }
    let message = parse("4006381333932", None).unwrap_err().to_string();
    assert!(message.contains("expected 1"), "{message}");
}

#[test]
fn element_strings_keep_batch_serial_expiry() {
    let with_gs = format!("]C101095060001343521012AB{GS}17270101{GS}21SER99");
    for (input, sym) in [
        (with_gs.as_str(), None),
        ("(01)09506000134352(10)12AB(17)270101(21)SER99", None),
        (&with_gs[3..], Some(Symbology::DataMatrix)),
    ] {
        let scan = parse(input, sym).expect(input);
        assert_eq!(scan.gtin.to_string(), "09506000134352");
        assert_eq!(scan.batch.as_deref(), Some("12AB"));
        assert_eq!(scan.expiry.as_deref(), Some("270101"));
        assert_eq!(scan.serial.as_deref(), Some("SER99"));
        assert_eq!(scan.carrier, Carrier::ElementString);
    }
    // A fixed-length AI followed by a redundant GS is fine.
    assert_eq!(
        gtin(&format!("]d20109506000134352{GS}10AB")),
        "09506000134352"
    );
}

#[test]
fn bad_element_strings_say_why() {
    let cases = [
        ("]C1010950600013435", "needs 14 characters, found 13"),
        ("]C10109506000134353", "expected 2, found 3"),
        ("]C11012AB", "no GTIN"),
        ("]C1010950600013435217991301", "month must be 01 to 12"),
        ("]C10109506000134352ZZ", "unknown Application Identifier"),
        ("(01)09506000134352(10", "missing its ')'"),
        ("(01)0950600013435", "needs 14 characters, found 13"),
    ];
    for (input, want) in cases {
        let message = parse(input, None).unwrap_err().to_string();
        assert!(message.contains(want), "{input:?}: {message}");
    }
}

#[test]
fn digital_links() {
    let scan = parse(
        "https://id.example.com/01/09506000134352/10/ABC?17=270101",
        None,
    )
    .unwrap();
    assert_eq!(scan.gtin.to_string(), "09506000134352");
    assert_eq!(scan.batch.as_deref(), Some("ABC"));
    assert_eq!(scan.expiry.as_deref(), Some("270101"));
    assert_eq!(scan.carrier, Carrier::DigitalLink);
    // Path prefix, GTIN-13 padded, percent-encoding, a non-AI query key ignored.
    let scan = parse(
        "HTTPS://brand.example/shoes/01/9506000134352/21/A%2FB?linkType=gs1:pip",
        Some(Symbology::QrCode),
    )
    .unwrap();
    assert_eq!(scan.gtin.to_string(), "09506000134352");
    assert_eq!(scan.serial.as_deref(), Some("A/B"));
}

#[test]
fn truncated_or_foreign_digital_links_say_why() {
    let cases = [
        ("https://id.example.com/01/", "no value after it"),
        ("https://id.example.com/01", "no value after it"),
        ("https://id.example.com/01/0950600013435", "check digit"),
        ("https://id.example.com/01/09506000134", "has 11 digits"),
        (
            "https://id.example.com/01/09506000134352/10",
            "/10/ has no value",
        ),
        (
            "https://id.example.com/01/09506000134352?17=2701",
            "needs 6 characters",
        ),
        ("https://example.com/shoes/red", "no /01/ segment"),
        (
            "https://id.example.com/01/09506000134353",
            "expected 2, found 3",
        ),
    ];
    for (input, want) in cases {
        let message = parse(input, None).unwrap_err().to_string();
        assert!(message.contains(want), "{input:?}: {message}");
    }
}

fn digit_vec(len: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(0u8..10, len)
}

fn with_check(mut body: Vec<u8>) -> Vec<u8> {
    body.push(gs1_check_digit(&body));
    body
}

fn to_text(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

proptest! {
    /// Any valid GTIN in any plain length parses to itself, left-padded to 14 digits.
    #[test]
    fn valid_codes_round_trip(len in prop::sample::select(vec![12usize, 13, 14]), body in digit_vec(13)) {
        let code = to_text(&with_check(body[..len - 1].to_vec()));
        let scan = parse(&code, None).unwrap();
        prop_assert_eq!(scan.gtin.to_string(), format!("{code:0>14}"));
        prop_assert_eq!(parse(&scan.gtin.to_string(), None).unwrap().gtin, scan.gtin);
    }

    /// Changing any single digit of a valid code is always caught by the check digit.
    #[test]
    fn single_digit_misreads_are_caught(body in digit_vec(12), pos in 0usize..13, bump in 1u8..10) {
        let mut code = with_check(body);
        code[pos] = (code[pos] + bump) % 10;
        prop_assert!(parse(&to_text(&code), Some(Symbology::Ean13)).is_err());
    }

    /// The same GTIN and attributes survive every carrier: element string, parenthesised form
    /// and Digital Link.
    #[test]
    fn carriers_agree(body in digit_vec(13), batch in "[A-Z0-9]{1,20}", serial in "[A-Za-z0-9]{1,20}") {
        let g = to_text(&with_check(body));
        let raw = format!("]C101{g}10{batch}{GS}21{serial}");
        let human = format!("(01){g}(10){batch}(21){serial}");
        let link = format!("https://id.example.com/01/{g}/10/{batch}/21/{serial}");
        let a = parse(&raw, None).unwrap();
        let b = parse(&human, None).unwrap();
        let c = parse(&link, None).unwrap();
        prop_assert_eq!(a.gtin.to_string(), g);
        prop_assert_eq!((&a.batch, &a.serial), (&b.batch, &b.serial));
        prop_assert_eq!((&a.batch, &a.serial), (&c.batch, &c.serial));
        prop_assert_eq!(a.batch.as_deref(), Some(batch.as_str()));
    }

    /// UPC-E always expands to a UPC-A whose check digit is the UPC-E's.
    #[test]
    fn upc_e_expansion_keeps_check_digit(ns in 0u8..2, body in digit_vec(6)) {
        let mut upc_e = vec![ns];
        upc_e.extend(&body);
        upc_e.push(0);
        let upc_a = expand_upc_e(&upc_e).unwrap();
        let check = gs1_check_digit(&upc_a[..11]);
        upc_e[7] = check;
        let scan = parse(&to_text(&upc_e), Some(Symbology::UpcE)).unwrap();
        prop_assert_eq!(scan.gtin.digits()[13], check);
    }

    /// The parser never panics, whatever it is fed.
    #[test]
    fn never_panics(text in "\\PC{0,60}", sym in prop::option::of(prop::sample::select(vec![
        Symbology::Ean13, Symbology::UpcE, Symbology::Ean8, Symbology::Code128, Symbology::QrCode,
    ]))) {
        let _ = parse(&text, sym);
    }
}

#[test]
fn digits_are_grouped_as_printed_on_the_label() {
    let g = |s: &str| group_as_on_label(s).replace('\u{2009}', " ");
    assert_eq!(g("4012345001013"), "4 012345 001013");
    assert_eq!(g("012345678905"), "0 12345 67890 5");
    assert_eq!(g("96385074"), "9638 5074");
    assert_eq!(g("04012345001013"), "0 40 12345 00101 3");
    assert_eq!(g("4012"), "4 012", "while typing: EAN-13 groups");
    assert_eq!(g(""), "");
    assert_eq!(g("123456789012345"), "1 234567 890123 45");
}

#[test]
fn eight_digits_are_a_product_only_in_ean8_or_upce_bars() {
    // In their own symbols, or typed: EAN-8 (or UPC-E when only its check digit holds).
    assert!(parse("96385074", Some(Symbology::Ean8)).is_ok());
    assert!(parse("01234565", Some(Symbology::UpcE)).is_ok());
    assert!(parse("96385074", None).is_ok());
    // In a Code 128 or a 2D symbol they are some other number (a photo of a Code 128 holding
    // 10064908 was once taken for the UPC-E product 00100000006498).
    for symbology in [Symbology::Code128, Symbology::QrCode, Symbology::DataMatrix] {
        assert_eq!(
            parse("10064908", Some(symbology)).unwrap_err(),
            BarcodeError::NoGtin,
            "{symbology:?}"
        );
    }
}
