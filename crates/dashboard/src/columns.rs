//! Columns, declared once per section of a tab: the JSON field of each row, its header on the
//! page, its header in the xlsx sheet and how its values read. The HTML tables (`table.rs`) and
//! the sheets (`export/sheet.rs`) both take these, so a field is named in one place; each tab's
//! contract test checks every key against a serialised answer of that tab.
//!
//! A column of names also says where its names lead on the page ([`Link`]: a product's page, a
//! store's overview, a channel's view); the table renderer makes the links, the sheets write
//! the same names as text.

/// How a column's values read, on the page and in a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string, as is (names, codes, ids: never a formula, never a number).
    Text,
    /// A count: `1,234`.
    Int,
    /// A quantity: `3` or `1.25`.
    Qty,
    /// Money: `¥1,234.56` on the page, `#,##0.00` in a sheet.
    Money,
    /// In percent units (13.8 means 13.8 %).
    Pct,
    /// A change in percent units: `+4.2%` on the page, a percent number in a sheet.
    Change,
    /// A change of a rate in percentage points: `+1.2 个百分点` on the page, a number in a
    /// sheet (its header says 百分点).
    Points,
    /// Any other number (a sheet's general format).
    Num,
    /// `YYYY-MM-DD` text in the JSON (an Excel date in a sheet).
    Date,
    /// `YYYY-MM-DDTHH:MM:SS` text in the JSON: `2026-11-21 09:07` on the page, an Excel
    /// date-time in a sheet.
    DateTime,
}

impl Kind {
    /// Whether values are numbers (right-aligned, sorted as numbers).
    pub(crate) fn numeric(self) -> bool {
        !matches!(self, Kind::Text | Kind::Date | Kind::DateTime)
    }
}

/// Where the names of a text column lead on the page (a sheet writes them as text all the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// Nowhere: plain text.
    None,
    /// Product names: each to the product page of the key in the row's field named here (a
    /// key for a name; for a list of names, a list of keys in the same order).
    Product(&'static str),
    /// Store names: each to the store's overview.
    Store,
    /// Channel names: each to the channel's view.
    Channel,
}

/// One column of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    /// Field of each row object (dotted for nested objects: `cost_rates.subsidy`).
    pub(crate) key: &'static str,
    /// Header on the page.
    pub(crate) label: &'static str,
    /// Header in the xlsx sheet (often longer: units, `(%)`).
    pub(crate) header: &'static str,
    /// Formatting, sorting and the cell type.
    pub(crate) kind: Kind,
    /// Where its names lead on the page.
    pub(crate) link: Link,
}

impl Column {
    /// Product names whose keys are in the row's `key` field.
    pub(crate) const fn product(self) -> Self {
        self.product_keys("key")
    }

    /// Product names (or lists of names) whose keys are in the row's field `keys`.
    pub(crate) const fn product_keys(self, keys: &'static str) -> Self {
        Self {
            link: Link::Product(keys),
            ..self
        }
    }

    /// Store names.
    pub(crate) const fn store(self) -> Self {
        Self {
            link: Link::Store,
            ..self
        }
    }

    /// Channel names.
    pub(crate) const fn channel(self) -> Self {
        Self {
            link: Link::Channel,
            ..self
        }
    }
}

/// A column whose page and sheet headers differ.
pub(crate) const fn col(
    key: &'static str,
    label: &'static str,
    header: &'static str,
    kind: Kind,
) -> Column {
    Column {
        key,
        label,
        header,
        kind,
        link: Link::None,
    }
}

/// A column with one header on the page and in the sheet.
pub(crate) const fn same(key: &'static str, header: &'static str, kind: Kind) -> Column {
    col(key, header, header, kind)
}

/// The columns of `table` named by `keys`, in the order of `keys`: the page usually shows
/// fewer columns than the sheet, and in its own order. Unknown keys are left out (each tab's
/// tests check that every key is in its table).
pub(crate) fn pick(table: &[Column], keys: &[&str]) -> Vec<Column> {
    keys.iter()
        .filter_map(|key| table.iter().find(|c| c.key == *key).copied())
        .collect()
}

/// Test helpers shared by the tabs' contract tests.
#[cfg(test)]
pub(crate) mod contract {
    use serde_json::Value;

    use super::{Column, Link};

    /// Asserts that every row of `rows` (at least one) has every column's field (a `null` value
    /// counts: the field exists), and the field of the keys of a product column, naming the
    /// section and the field otherwise.
    pub(crate) fn assert_fields(section: &str, columns: &[Column], rows: &[Value]) {
        assert!(
            !rows.is_empty(),
            "{section}: no row to check the columns against"
        );
        for row in rows {
            for c in columns {
                let found = c.key.split('.').try_fold(row, |v, part| v.get(part));
                assert!(found.is_some(), "{section}: no field '{}' in {row}", c.key);
                // A product column's keys are in the row too, or its names lead nowhere.
                if let Link::Product(keys) = c.link {
                    assert!(
                        row.get(keys).is_some(),
                        "{section}: no key field '{keys}' in {row}"
                    );
                }
            }
        }
    }

    /// Asserts that `keys` all name columns of `table`.
    pub(crate) fn assert_picked(section: &str, table: &[Column], keys: &[&str]) {
        for key in keys {
            assert!(
                table.iter().any(|c| c.key == *key),
                "{section}: the page shows '{key}', which is not in its table"
            );
        }
    }
}
