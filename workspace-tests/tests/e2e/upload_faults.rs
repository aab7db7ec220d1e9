//! Refused uploads over HTTP: every bad input of the fixtures' corpus gets its status and
//! `error.code`, over-limit bodies get `413`, malformed forms `400`; after each refusal
//! `GET /api/v1/stores` is byte-identical to before, and no temp file is left in `DATA_DIR/tmp`.

use std::time::Duration;

use serde_json::Value;
use storeboard_fixtures as fx;

use crate::support::app::{multipart, multipart_type, AppServer, Part, Reply};
use crate::support::{eventually, Response, IO_TIMEOUT};

/// An expected refusal: file name, bytes, status, `error.code`.
type Refusal = (&'static str, Vec<u8>, u16, &'static str);

/// The exact bytes of `GET /api/v1/stores` and `GET /api/v1/uploads`.
#[derive(Debug, PartialEq)]
struct Data {
    stores: String,
    history: String,
}

fn data(server: &AppServer) -> Data {
    let history = server.get("/api/v1/uploads");
    assert_eq!(history.status, 200, "{}", history.text());
    Data {
        stores: String::from_utf8_lossy(&server.stores_raw()).into_owned(),
        history: history.text(),
    }
}

/// A server holding the default export, and its [`Data`].
fn server_with_data(limit: u64) -> (AppServer, Data) {
    let server = AppServer::with_limit(limit);
    let spec = fx::ExportSpec::default();
    server.upload_ok(&[Part::file("base.xlsx", fx::xlsx_bytes(&spec))]);
    let before = data(&server);
    assert!(before.stores.len() > 2, "{before:?}");
    (server, before)
}

/// The stores and the history are exactly as before, and no upload is still on disk.
fn assert_untouched(server: &AppServer, before: &Data, what: &str) {
    assert_eq!(&data(server), before, "{what} changed the data");
    let left = server.temp_files();
    assert!(left.is_empty(), "{what} left temp files: {left:?}");
}

fn assert_refused(reply: &Reply, status: u16, code: &str, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.text());
    assert!(
        reply.content_type.starts_with("application/json"),
        "{what}: {reply:?}"
    );
    assert_eq!(reply.error_code(), code, "{what}: {}", reply.text());
    let message = &reply.json()["error"]["message"];
    assert!(
        message.as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {message}"
    );
}

fn corpus() -> Vec<Refusal> {
    vec![
        (
            "orders.pdf",
            b"%PDF-1.4 not an export".to_vec(),
            415,
            "unsupported_type",
        ),
        ("not.xlsx", fx::not_a_workbook(), 422, "content_mismatch"),
        (
            "truncated.xlsx",
            fx::truncated_xlsx(),
            422,
            "corrupt_workbook",
        ),
        (
            "bomb.xlsx",
            fx::zip_bomb_shared_strings(),
            422,
            "workbook_too_large",
        ),
        (
            "csv-inside.xlsx",
            fx::csv_named_xlsx(),
            422,
            "content_mismatch",
        ),
        (
            "locked.xlsx",
            fx::encrypted_like_xlsx(),
            422,
            "encrypted_workbook",
        ),
        ("empty.xlsx", fx::empty_sheet_xlsx(), 422, "no_lines"),
        ("header-only.xlsx", fx::header_only_xlsx(), 422, "no_lines"),
    ]
}

#[test]
fn every_bad_input_is_refused_with_its_code_and_leaves_the_data_byte_identical() {
    let (server, before) = server_with_data(100 << 20);
    for (name, bytes, status, code) in corpus() {
        let reply = server.upload(&[Part::file(name, bytes)]);
        assert_refused(&reply, status, code, name);
        assert_untouched(&server, &before, name);
    }
}

#[test]
fn missing_required_columns_are_named_with_the_headers_found() {
    let (server, before) = server_with_data(100 << 20);
    let bytes = fx::missing_required_columns_xlsx();
    let reply = server.upload(&[Part::file("missing.xlsx", bytes)]);
    assert_refused(&reply, 422, "missing_columns", "missing.xlsx");
    let details = &reply.json()["error"]["details"];
    let texts = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut missing = texts(&details["missing"]);
    missing.sort();
    let mut expected = ["门店名称", "销量"];
    expected.sort();
    assert_eq!(missing, expected, "{details}");
    let found = texts(&details["found"]);
    for header in ["订单ID", "下单时间", "商品名称", "渠道"] {
        assert!(found.iter().any(|f| f == header), "{header}: {details}");
    }
    assert!(
        !found.iter().any(|f| f == "销量" || f == "门店名称"),
        "{details}"
    );
    assert_untouched(&server, &before, "missing.xlsx");
}

#[test]
fn a_refused_file_refuses_the_whole_request_even_after_a_good_file() {
    let (server, before) = server_with_data(100 << 20);
    let other = fx::ExportSpec {
        stores: vec!["另一家店".to_owned()],
        ..fx::ExportSpec::default()
    };
    let reply = server.upload(&[
        Part::file("good.xlsx", fx::xlsx_bytes(&other)),
        Part::file("truncated.xlsx", fx::truncated_xlsx()),
    ]);
    assert_refused(&reply, 422, "corrupt_workbook", "good + truncated");
    assert_untouched(&server, &before, "good + truncated");
}

#[test]
fn a_form_without_a_file_part_or_with_an_unknown_mode_gets_400() {
    let (server, before) = server_with_data(100 << 20);
    let good = fx::xlsx_bytes(&fx::ExportSpec {
        stores: vec!["另一家店".to_owned()],
        ..fx::ExportSpec::default()
    });
    let cases: Vec<(&str, Vec<Part>, &str)> = vec![
        ("no parts", vec![], "no_file"),
        ("only a mode", vec![Part::mode("merge")], "no_file"),
        (
            "mode=bogus",
            vec![Part::file("good.xlsx", good.clone()), Part::mode("bogus")],
            "bad_mode",
        ),
        // Refused before the file is read: the file is tiny so that the whole request is sent
        // before the answer (a big one would meet a closed connection).
        (
            "mode=bogus first",
            vec![Part::mode("bogus"), Part::file("tiny.csv", b"x".to_vec())],
            "bad_mode",
        ),
    ];
    for (what, parts, code) in cases {
        let reply = server.upload(&parts);
        assert_refused(&reply, 400, code, what);
        assert_untouched(&server, &before, what);
    }
}

/// The request head of a multipart upload; `length` is a `Content-Length` or, when `None`,
/// the body is chunked.
fn upload_head(length: Option<usize>) -> String {
    let framing = match length {
        Some(n) => format!("Content-Length: {n}"),
        None => "Transfer-Encoding: chunked".to_owned(),
    };
    format!(
        "POST /api/v1/uploads HTTP/1.1\r\nHost: e2e\r\nContent-Type: {}\r\n{framing}\r\n\r\n",
        multipart_type()
    )
}

const LIMIT: u64 = 256 * 1024;

#[test]
fn declared_body_over_max_request_body_size_gets_413_and_leaves_the_data_untouched() {
    let (server, before) = server_with_data(LIMIT);
    let mut client = server.connect();
    // Only the head goes out: the answer must not wait for the body it announces.
    client.send(upload_head(Some(LIMIT as usize + 1)));
    let res = client
        .try_response(Duration::from_secs(2), false)
        .expect("413 without the body");
    assert_eq!(res.status, 413, "{res:?}");
    let body: Value = serde_json::from_slice(&res.body).expect("a JSON error");
    assert_eq!(body["error"]["code"], "too_large", "{body}");
    assert_eq!(body["error"]["details"]["limit"], LIMIT, "{body}");
    assert_untouched(&server, &before, "declared over-limit body");
}

/// Sends a chunked upload whose body is over [`LIMIT`] by its multipart framing only, without
/// the last chunk (the server must answer at the limit, not wait for the end), and reads the answer.
fn chunked_over_limit(server: &AppServer) -> Response {
    let mut client = server.connect();
    let body = multipart(&[Part::file("big.xlsx", vec![b'x'; LIMIT as usize])]);
    client.send(upload_head(None));
    client.send(format!("{:x}\r\n", body.len()));
    client.send(&body);
    client.send("\r\n");
    client
        .try_response(Duration::from_secs(2), false)
        .expect("an answer at the limit")
}

#[test]
fn chunked_upload_over_max_request_body_size_is_refused_and_leaves_the_data_untouched() {
    let (server, before) = server_with_data(LIMIT);
    let res = chunked_over_limit(&server);
    assert_eq!(res.status, 413, "{res:?} {}", res.text());
    assert_untouched(&server, &before, "chunked over-limit body");
}

#[test]
fn chunked_upload_over_max_request_body_size_gets_413_too_large() {
    let (server, _) = server_with_data(LIMIT);
    let res = chunked_over_limit(&server);
    assert_eq!(res.status, 413, "{res:?} {}", res.text());
    let body: Value = serde_json::from_slice(&res.body).expect("a JSON error");
    assert_eq!(body["error"]["code"], "too_large", "{body}");
}

#[test]
fn a_body_that_is_not_multipart_gets_400_bad_multipart() {
    let (server, before) = server_with_data(100 << 20);
    for content_type in ["Content-Type: application/json\r\n", ""] {
        let mut client = server.connect();
        let res = client.request(format!(
            "POST /api/v1/uploads HTTP/1.1\r\nHost: e2e\r\n{content_type}Content-Length: 2\r\n\r\n{{}}"
        ));
        assert_eq!(res.status, 400, "{content_type:?}: {}", res.text());
        let body: Value = serde_json::from_slice(&res.body).expect("a JSON error");
        assert_eq!(body["error"]["code"], "bad_multipart", "{body}");
        assert_untouched(&server, &before, content_type);
    }
}

#[test]
fn corpus_files_that_hold_valid_lines_are_accepted_with_their_report() {
    let server = AppServer::start();
    // 36 known columns and 4,964 garbage ones over 1 store, 1 day, 3 orders.
    let wide = fx::ExportSpec {
        stores: vec!["鲜丰便利(万达店)".to_owned()],
        days: 1,
        orders_per_store_day: 3,
        ..fx::ExportSpec::default()
    };
    let records = server.upload_ok(&[Part::file("wide.xlsx", fx::garbage_5000_columns_xlsx())]);
    let report = &records[0]["report"];
    assert_eq!(report["ignored_column_count"], 4964, "{report}");
    assert_eq!(report["accepted_lines"], fx::lines(&wide).len(), "{report}");
    // Formulas are read as their cached values: the same lines as the plain export.
    let records = server.upload_ok(&[Part::file("formulas.xlsx", fx::formula_cells_xlsx())]);
    let report = &records[0]["report"];
    let plain = fx::lines(&fx::ExportSpec::default()).len();
    assert_eq!(report["accepted_lines"], plain, "{report}");
    assert_eq!(report["problem_count"], 0, "{report}");
    // A sheet claiming a billion rows is over the cell budget (hostile_uploads.rs).
    let reply = server.upload(&[Part::file("dimension.xlsx", fx::zip_bomb_dimension())]);
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(reply.error_code(), "sheet_too_large", "{}", reply.text());
    let left = server.temp_files();
    assert!(left.is_empty(), "temp files left: {left:?}");
}

#[test]
fn a_client_that_vanishes_mid_upload_leaves_no_temp_file_and_no_data() {
    let (server, before) = server_with_data(100 << 20);
    let mut client = server.connect();
    let body = multipart(&[Part::file("big.xlsx", vec![b'x'; 1 << 20])]);
    client.send(upload_head(Some(body.len())));
    client.send(&body[..64 * 1024]);
    let storing = eventually(IO_TIMEOUT, || server.temp_files().len() == 1);
    assert!(
        storing,
        "the upload is being stored: {:?}",
        server.temp_files()
    );
    drop(client);
    let removed = eventually(IO_TIMEOUT, || server.temp_files().is_empty());
    assert!(removed, "left behind: {:?}", server.temp_files());
    assert_untouched(&server, &before, "a vanished client");
}
