//! The paging parameters of `GET /api/v1/tabs/products`: `limit`, `page` and `sort`, parsed
//! strictly (a value they cannot take is a 400 naming the parameter, never silently replaced).

use actix_web::web;
use serde::Deserialize;
use storeboard_analytics::products::page::{fields, Paging, Sort, DEFAULT_LIMIT};

use crate::error::TabsError;

/// The paging parameters as sent; missing or empty means the default.
#[derive(Debug, Default, Deserialize)]
struct Raw {
    limit: Option<String>,
    page: Option<String>,
    sort: Option<String>,
}

/// The paging a query string asks for: `limit` (rows per page, default
/// [`DEFAULT_LIMIT`], `0` = all), `page` (1-based, default 1) and `sort` (a product field,
/// ascending, or with `-` first descending; default the computed order, sales descending).
/// Other parameters are ignored.
pub fn parse_paging(query_string: &str) -> Result<Paging, TabsError> {
    let raw = web::Query::<Raw>::from_query(query_string)
        .map_err(|e| TabsError::BadQuery(e.to_string()))?
        .into_inner();
    let given = |v: Option<String>| v.filter(|v| !v.is_empty());
    let limit = match given(raw.limit) {
        Some(v) => whole("limit", v, 0, "a whole number of rows, 0 for all (e.g. 50)")?,
        None => DEFAULT_LIMIT,
    };
    let page = match given(raw.page) {
        Some(v) => whole("page", v, 1, "a page number from 1 (e.g. 2)")?,
        None => 1,
    };
    let sort = match given(raw.sort) {
        Some(v) => Some(v.parse::<Sort>().map_err(|_| TabsError::BadParam {
            param: "sort",
            value: v,
            expected: format!(
                "a product field, with '-' first for descending (e.g. -profit): {}",
                fields().join(", ")
            ),
        })?),
        None => None,
    };
    Ok(Paging { limit, page, sort })
}

/// `page` of a paged list (1-based, default 1); other parameters are ignored.
pub fn parse_page(query_string: &str) -> Result<usize, TabsError> {
    #[derive(Deserialize)]
    struct Page {
        page: Option<String>,
    }
    let raw = web::Query::<Page>::from_query(query_string)
        .map_err(|e| TabsError::BadQuery(e.to_string()))?
        .into_inner();
    match raw.page.filter(|v| !v.is_empty()) {
        Some(v) => whole("page", v, 1, "a page number from 1 (e.g. 2)"),
        None => Ok(1),
    }
}

/// `limit` of `GET /api/v1/tabs/today`: rows per card (default [`DEFAULT_LIMIT`], `0` = all);
/// other parameters are ignored.
pub fn parse_row_limit(query_string: &str) -> Result<usize, TabsError> {
    #[derive(Deserialize)]
    struct Limit {
        limit: Option<String>,
    }
    let raw = web::Query::<Limit>::from_query(query_string)
        .map_err(|e| TabsError::BadQuery(e.to_string()))?
        .into_inner();
    match raw.limit.filter(|v| !v.is_empty()) {
        Some(v) => whole("limit", v, 0, "a whole number of rows, 0 for all (e.g. 50)"),
        None => Ok(DEFAULT_LIMIT),
    }
}

/// `value` as a whole number of at least `min`: ASCII digits only (no sign, space or point).
fn whole(
    param: &'static str,
    value: String,
    min: usize,
    expected: &str,
) -> Result<usize, TabsError> {
    let parsed = value
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| value.parse::<usize>().ok())
        .flatten()
        .filter(|n| *n >= min);
    parsed.ok_or_else(|| TabsError::BadParam {
        param,
        value,
        expected: expected.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use storeboard_analytics::products::page::SortKey;

    #[test]
    fn missing_or_empty_parameters_are_the_defaults() {
        for query in ["", "limit=&page=&sort=", "store=A&from=2026-11-01"] {
            assert_eq!(parse_paging(query).expect(query), Paging::default());
        }
        assert_eq!(Paging::default().limit, 200);
    }

    #[test]
    fn limit_page_and_sort_are_read() {
        let p = parse_paging("limit=0&page=3&sort=-margin_pct").expect("valid");
        assert_eq!((p.limit, p.page), (0, 3));
        let sort = p.sort.expect("a sort");
        assert_eq!((sort.key, sort.descending), (SortKey::MarginPct, true));
        let p = parse_paging("sort=name&limit=007").expect("valid");
        assert_eq!(p.limit, 7);
        assert!(!p.sort.expect("a sort").descending);
    }

    #[test]
    fn bad_values_are_refused_naming_the_parameter() {
        let cases = [
            ("limit=-1", "limit"),
            ("limit=abc", "limit"),
            ("limit=1.5", "limit"),
            ("limit=%2B5", "limit"),
            ("limit=%205", "limit"),
            ("limit=99999999999999999999999", "limit"),
            ("page=0", "page"),
            ("page=-2", "page"),
            ("page=first", "page"),
            ("sort=price", "sort"),
            ("sort=Sales", "sort"),
            ("sort=--sales", "sort"),
        ];
        for (query, param) in cases {
            match parse_paging(query) {
                Err(TabsError::BadParam { param: p, .. }) => assert_eq!(p, param, "{query}"),
                other => panic!("{query}: {other:?}"),
            }
        }
        let err = parse_paging("sort=price").expect_err("unknown");
        assert!(err.to_string().contains("margin_pct"), "{err}");
    }

    #[test]
    fn the_row_limit_defaults_to_two_hundred_and_zero_means_every_row() {
        assert_eq!(parse_row_limit("").expect("default"), 200);
        assert_eq!(parse_row_limit("window=3&limit=0").expect("all"), 0);
        assert_eq!(parse_row_limit("limit=5").expect("5"), 5);
        assert!(matches!(
            parse_row_limit("limit=-5"),
            Err(TabsError::BadParam { param: "limit", .. })
        ));
    }

    #[test]
    fn a_parameter_given_twice_is_a_malformed_query() {
        assert!(matches!(
            parse_paging("limit=1&limit=2"),
            Err(TabsError::BadQuery(_))
        ));
    }
}
