//! A refused tab request as the page shows it. The API's envelope comes from
//! `storeboard-errors`; the page words the same codes for someone at the filter bar (what to
//! pick again), then gives the API's English text for the technical reader.

use actix_web::http::StatusCode;
use serde_json::Value;
use storeboard_errors::ApiError;
use storeboard_tabs::TabsError;

/// The status of `err` and the page's message for it, chosen by its code.
pub(crate) fn refused(err: &TabsError) -> (StatusCode, String) {
    (err.status(), message(err))
}

/// The page's Chinese message for `err`, from its code and details.
fn message(err: &TabsError) -> String {
    let details = err.details();
    let detail = |key: &str| details.get(key).and_then(Value::as_str).unwrap_or_default();
    let zh = match err.code() {
        "bad_date" => {
            let which = if detail("param") == "from" {
                "开始日期"
            } else {
                "结束日期"
            };
            format!(
                "{which}“{}”不是有效日期,请用 YYYY-MM-DD 格式",
                detail("value")
            )
        }
        "bad_period" => format!(
            "开始日期 {} 晚于结束日期 {},请重新选择",
            detail("from"),
            detail("to")
        ),
        "period_too_long" => format!(
            "所选期间 {} 至 {} 共 {} 天,超过服务器允许的 {} 天 (max_period_days),请缩短期间",
            detail("from"),
            detail("to"),
            details
                .get("days")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
            details
                .get("max_period_days")
                .and_then(Value::as_i64)
                .unwrap_or_default()
        ),
        "bad_query" => "链接参数有误,请重新选择筛选条件".to_owned(),
        "bad_parameter" => format!(
            "参数 {} 的值“{}”无效,应为 {}",
            detail("param"),
            detail("value"),
            detail("expected")
        ),
        "no_product" => format!(
            "商品“{}”在所选门店、期间和渠道没有销售,请调整筛选条件",
            detail("key")
        ),
        "no_plan" => "调价方案不存在,可能已被删除".to_owned(),
        "bad_plan" => "调价方案无法保存".to_owned(),
        "shutting_down" => "服务器正在停止,请稍后刷新".to_owned(),
        _ => "计算失败,请刷新重试".to_owned(),
    };
    format!("{zh}({err})")
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn the_page_words_each_code_with_its_values() {
        let bad = TabsError::BadDate {
            param: "to",
            value: "2026-13-01".to_owned(),
        };
        let (status, text) = refused(&bad);
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            text.starts_with("结束日期“2026-13-01”不是有效日期"),
            "{text}"
        );
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid");
        let period = TabsError::FromAfterTo {
            from: day(9),
            to: day(2),
        };
        let text = refused(&period).1;
        assert!(
            text.starts_with("开始日期 2026-11-09 晚于结束日期 2026-11-02,请重新选择"),
            "{text}"
        );
        assert!(refused(&TabsError::Cancelled)
            .1
            .starts_with("服务器正在停止"));
    }
}
