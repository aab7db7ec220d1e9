//! Packed columns read the same rows as the `Vec`s they replace.

use super::*;

fn packed<T: Value>(rows: Vec<T>) -> Column<T> {
    let mut col = Column::from(rows);
    col.pack();
    col
}

#[test]
fn a_packed_column_reads_every_row_as_before() {
    let rows: Vec<i32> = (0..10_000).map(|i| (i * 7919) % 200 - 100).collect();
    let col = packed(rows.clone());
    assert_eq!(col.to_vec(), rows);
    assert_eq!(col[9_999], rows[9_999]);
    assert!(col.heap_bytes() < rows.len() * 2, "{col:?}");
}

#[test]
fn a_column_of_one_value_costs_nothing_per_row() {
    let col = packed(vec![0i32; 5_000]);
    assert_eq!(col.heap_bytes(), 0);
    assert_eq!(col.len(), 5_000);
    assert_eq!(col[4_999], 0);
    assert_eq!(col.get(5_000), None);
}

#[test]
fn nan_packs_as_one_value_and_keeps_its_bits() {
    let rows = vec![f32::NAN, 3.0, f32::NAN, 2.5, 3.0];
    let col = packed(rows.clone());
    let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&col.to_vec()), bits(&rows));
    assert_eq!(col, Column::from(rows));
}

#[test]
fn distinct_rows_stay_plain() {
    let rows: Vec<u32> = (0..100_000).collect();
    let col = packed(rows.clone());
    assert_eq!(col.heap_bytes(), rows.len() * 4);
    assert_eq!(col.to_vec(), rows);
}

#[test]
fn more_than_256_values_take_two_byte_codes() {
    let rows: Vec<i32> = (0..50_000).map(|i| i % 1_000).collect();
    let col = packed(rows.clone());
    assert_eq!(col.heap_bytes(), 1_000 * 4 + 50_000 * 2);
    assert_eq!(col.to_vec(), rows);
}

#[test]
fn a_column_of_runs_reads_every_row_and_range_as_before() {
    let rows: Vec<u32> = (0..5_000u32).flat_map(|o| [o; 4]).take(19_998).collect();
    let mut col = Column::from(rows.clone());
    col.pack_runs();
    assert!(col.heap_bytes() < rows.len() * 4 * 3 / 5, "{col:?}");
    assert_eq!(col.to_vec(), rows);
    assert_eq!(
        (col[0], col[7], col[19_997]),
        (rows[0], rows[7], rows[19_997])
    );
    assert_eq!(col.range(9..14).collect::<Vec<_>>(), rows[9..14]);
    assert_eq!(col.get(19_998), None);
}

#[test]
fn writing_to_a_packed_column_unpacks_it() {
    let mut col = packed(vec![1i64, 2, 1, 2]);
    col.push(3);
    col.extend_from(&packed(vec![9i64, 9]), 0..2);
    assert_eq!(col.to_vec(), [1, 2, 1, 2, 3, 9, 9]);
}
