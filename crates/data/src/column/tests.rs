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

#[test]
fn a_concatenation_reads_every_part_in_order() {
    let old: Vec<i32> = (0..5_000).map(|i| (i * 31) % 100).collect();
    let new: Vec<i32> = (0..3_000).map(|i| (i * 7) % 400).collect();
    let (packed_old, plain_new) = (packed(old.clone()), Column::from(new.clone()));
    let col = Column::concat(&[
        (&packed_old, 0..2_000),
        (&plain_new, 0..3_000),
        (&packed_old, 2_500..5_000),
    ]);
    let want: Vec<i32> = old[..2_000]
        .iter()
        .chain(&new)
        .chain(&old[2_500..])
        .copied()
        .collect();
    assert_eq!(col.to_vec(), want);
    // The old table, extended past 256 values: the copied codes were widened to two bytes.
    assert!(
        matches!(col.codes().map(|c| &**c), Some(Codes::U16(_))),
        "{col:?}"
    );
}

#[test]
fn a_concatenation_of_one_value_stays_one_value_until_another_comes() {
    let zeros = packed(vec![0i32; 4_000]);
    let more = Column::from(vec![0i32; 100]);
    let col = Column::concat(&[(&zeros, 0..4_000), (&more, 0..100)]);
    assert_eq!(col.heap_bytes(), 0);
    assert_eq!(col.len(), 4_100);
    let other = Column::from(vec![5i32; 10]);
    let col = Column::concat(&[(&zeros, 0..4_000), (&other, 0..10)]);
    assert_eq!(col[4_005], 5);
    assert_eq!(col[3_999], 0);
    assert!(col.heap_bytes() < 4_100 * 2, "{col:?}");
}

#[test]
fn a_concatenation_of_distinct_rows_stays_plain() {
    let ids: Vec<u32> = (0..10_000).collect();
    let (a, b) = (
        Column::from(ids.clone()),
        Column::from(vec![20_000u32, 20_001]),
    );
    let col = Column::concat(&[(&a, 0..10_000), (&b, 0..2)]);
    assert_eq!(col.len(), 10_002);
    assert_eq!(col[10_001], 20_001);
    assert!(col.codes().is_none());
}

#[test]
fn rows_equal_finds_the_same_rows_however_the_column_is_kept() {
    let expected = |rows: &[u32], range: std::ops::Range<usize>, v: u32| -> Vec<usize> {
        range.filter(|&i| rows[i] == v).collect()
    };
    // Few distinct values (codes), runs, one value, and all distinct (plain).
    let few: Vec<u32> = (0..5_000).map(|i| (i * 31) % 7).collect();
    let runs: Vec<u32> = (0..5_000).map(|i| i / 500).collect();
    let one = vec![4u32; 300];
    let plain: Vec<u32> = (0..100_000).collect();
    for rows in [few, runs, one, plain] {
        let col = packed(rows.clone());
        for v in [0, 3, 4, 9, 99_999, 123_456] {
            for range in [0..rows.len(), 17..1_234, 0..0, 4_000..99_999_999] {
                let clipped = range.start.min(rows.len())..range.end.min(rows.len());
                assert_eq!(
                    col.rows_equal(range.clone(), v),
                    expected(&rows, clipped, v),
                    "{v} in {range:?}"
                );
            }
        }
    }
}
