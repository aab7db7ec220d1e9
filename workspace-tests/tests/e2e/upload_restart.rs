//! The stored data outlives the server: a new server on the same data directory answers the
//! same stores, history and problem lists, and goes on from there.

use serde_json::json;
use storeboard_fixtures as fx;

use crate::support::app::{encode_segment, expected_stores, AppServer, Part};

#[test]
fn a_new_server_on_the_same_data_dir_answers_the_same_stores_history_and_problems() {
    let dir = tempfile::tempdir().expect("a temp data dir");
    let spec = fx::ExportSpec::default();
    let other = fx::ExportSpec {
        stores: vec!["好邻居(中关村店)".to_owned()],
        seed: 9,
        ..fx::ExportSpec::default()
    };
    let (bad_cells, _) = fx::bad_cells_xlsx();
    // Kept: the workbook's bytes hold its creation time, so a new one may hash differently.
    let orders = fx::xlsx_bytes(&spec);
    let first = AppServer::on(dir.path());
    first.upload_ok(&[Part::file("orders.xlsx", orders.clone())]);
    first.upload_ok(&[Part::file(
        "other.csv",
        fx::csv_bytes(&other, fx::CsvEncoding::Gbk),
    )]);
    let records = first.upload_ok(&[Part::file("bad.xlsx", bad_cells)]);
    let problems_path = format!("/api/v1/uploads/{}/problems.csv", records[0]["id"]);
    let stores = first.stores_raw();
    let history = first.get("/api/v1/uploads").body;
    let problems = first.get(&problems_path).body;
    first.stop();

    let second = AppServer::on(dir.path());
    assert_eq!(
        String::from_utf8_lossy(&second.stores_raw()),
        String::from_utf8_lossy(&stores)
    );
    assert_eq!(
        second
            .get("/api/v1/uploads")
            .json()
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(second.get("/api/v1/uploads").body, history);
    assert_eq!(second.get(&problems_path).body, problems);

    // And it goes on from the restored data: deleting a store and uploading again.
    let gone = format!("/api/v1/stores/{}", encode_segment(&other.stores[0]));
    assert_eq!(
        second.delete(&gone).json(),
        json!({ "deleted": other.stores[0] })
    );
    let again = second.upload_ok(&[Part::file("orders.xlsx", orders)]);
    assert_eq!(again[0]["already_imported"], true);
    assert_eq!(second.stores(), expected_stores(&fx::lines(&spec)));
}
