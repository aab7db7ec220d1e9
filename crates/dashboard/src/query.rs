//! The page's query string: the filters (`store`, `from`, `to`, `channel`), the tab, and each
//! table's sort and page (`s_{table}=column.desc`, `p_{table}=2`). Kept as ordered pairs so a
//! link can change one parameter and keep every other one.

use std::collections::BTreeMap;

use storeboard_tabs::TabQuery;

/// Parameters that select data (the tabs API's query); every link keeps them.
pub const FILTER_KEYS: [&str; 5] = ["store", "from", "to", "channel", "window"];

/// One request's parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewQuery {
    params: BTreeMap<String, String>,
}

impl ViewQuery {
    /// Parses a query string; a malformed one is treated as empty rather than refused, since it
    /// only ever comes from our own links or a hand-edited bookmark.
    pub fn parse(query_string: &str) -> Self {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query_string).unwrap_or_default();
        Self {
            params: pairs
                .into_iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .collect(),
        }
    }

    /// A parameter, if set and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    /// The same parameters with `key` set to `value` (removed when `value` is empty).
    pub fn with(&self, key: &str, value: &str) -> Self {
        let mut next = self.clone();
        if value.is_empty() {
            next.params.remove(key);
        } else {
            next.params.insert(key.to_owned(), value.to_owned());
        }
        next
    }

    /// Only the filter parameters.
    pub fn filters_only(&self) -> Self {
        Self {
            params: self
                .params
                .iter()
                .filter(|(k, _)| FILTER_KEYS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// The tabs API's query for these filters.
    pub fn tab_query(&self) -> TabQuery {
        let get = |k: &str| self.get(k).map(str::to_owned);
        TabQuery {
            store: get("store"),
            from: get("from"),
            to: get("to"),
            channel: get("channel"),
            window: get("window"),
        }
    }

    /// `a=1&b=2`, URL-encoded (empty when there are no parameters).
    pub fn encode(&self) -> String {
        serde_urlencoded::to_string(&self.params).unwrap_or_default()
    }

    /// `?a=1&b=2`, or the empty string.
    pub fn suffix(&self) -> String {
        let q = self.encode();
        if q.is_empty() {
            q
        } else {
            format!("?{q}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_dropped_and_chinese_round_trips() {
        let q = ViewQuery::parse("store=%E9%97%A8%E5%BA%971&from=&channel=a%26b");
        assert_eq!(q.get("store"), Some("门店1"));
        assert_eq!(q.get("from"), None);
        let again = ViewQuery::parse(&q.encode());
        assert_eq!(again, q);
        assert_eq!(again.get("channel"), Some("a&b"));
    }

    #[test]
    fn with_changes_one_parameter_and_keeps_the_rest() {
        let q = ViewQuery::parse("store=A&p_products=3");
        let next = q.with("p_products", "4").with("store", "");
        assert_eq!(next.encode(), "p_products=4");
        assert_eq!(q.filters_only().encode(), "store=A");
    }

    #[test]
    fn malformed_query_strings_are_treated_as_empty() {
        assert_eq!(ViewQuery::parse("%%%=&&=").encode(), "");
    }
}
