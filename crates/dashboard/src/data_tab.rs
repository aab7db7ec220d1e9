//! 📂 数据管理: the upload form, the reports of the uploads just made, the stores with their
//! data, and the upload history. Uploading and deleting go through the JSON API
//! (`api/v1/uploads`, `api/v1/stores/{name}`); this tab only shows.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::{json, Value};

use crate::query::ViewQuery;
use crate::DashboardState;

/// Upload history entries shown.
const HISTORY: usize = 50;
/// Audit log entries shown.
const AUDIT: usize = 50;
/// Problems listed per report on the page (the full list is the CSV).
const PROBLEMS_SHOWN: usize = 20;

/// The upload ids of `uploads=3,4` (the reports to show at the top).
fn requested_reports(q: &ViewQuery) -> Vec<i64> {
    q.get("uploads")
        .unwrap_or("")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .take(20)
        .collect()
}

/// The tab's view: stores, history and the requested reports.
pub async fn render(
    state: &DashboardState,
    q: &ViewQuery,
    base: &str,
    can_edit: bool,
) -> Result<Value, (StatusCode, String)> {
    let store = Arc::clone(state.upload.store());
    let base = base.to_owned();
    let (stores, history, audit) = web::block(move || {
        // Enough history to find the reports just asked for, even after a burst of uploads.
        let history = store.uploads(HISTORY * 4).map_err(|e| e.to_string())?;
        let audit = store.audit_log(AUDIT).map_err(|e| e.to_string())?;
        Ok::<_, String>((store.registry().summaries(), history, audit))
    })
    .await
    .map_err(|_| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "服务器繁忙,请重试".to_owned(),
        )
    })?
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let wanted = requested_reports(q);
    let reports: Vec<Value> = wanted
        .iter()
        .filter_map(|id| history.iter().find(|u| u.id == *id))
        .map(|u| report(u, &base))
        .collect();
    let history: Vec<Value> = history
        .iter()
        .take(HISTORY)
        .map(|u| {
            json!({
                "id": u.id,
                "file": u.file_name,
                "mode": if u.mode.as_str() == "replace" { "替换" } else { "合并" },
                "at": crate::format::local_time(&u.uploaded_at),
                "stores": u.stores.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join("、"),
                "lines": u.lines,
                "rejected": u.report.rejected_lines,
                "first_day": u.first_day,
                "last_day": u.last_day,
                "already": u.already_imported,
                "problems_href": (u.report.problem_count > 0)
                    .then(|| format!("{base}api/v1/uploads/{}/problems.csv", u.id)),
            })
        })
        .collect();
    Ok(json!({
        "empty": false,
        "can_edit": can_edit,
        // The login page is the server's (at the root), and comes back here afterwards.
        "login_url": format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", format!("{base}?tab=data"))]).unwrap_or_default()
        ),
        "stores": stores,
        "history": history,
        "reports": reports,
        "audit": audit.iter().map(audit_row).collect::<Vec<_>>(),
        "upload_url": format!("{base}api/v1/uploads"),
        "stores_url": format!("{base}api/v1/stores/"),
        "template_url": format!("{base}template.xlsx"),
        "refresh_url": format!("{base}tabs/data"),
    }))
}

/// An audit entry as the page shows it: the action in Chinese.
fn audit_row(e: &storeboard_data::AuditEntry) -> Value {
    let action = match e.action.as_str() {
        "upload" => "上传(合并)",
        "replace" => "上传(替换)",
        "delete" => "删除门店",
        "login" => "登录",
        "login_failed" => "登录失败",
        "logout" => "退出登录",
        other => other,
    };
    json!({
        "at": crate::format::local_time(&e.at),
        "action": action,
        "failed": e.action == "login_failed",
        "actor": e.actor,
        "ip": e.ip,
        "target": e.target,
        "detail": e.detail,
    })
}

fn report(u: &storeboard_data::UploadRecord, base: &str) -> Value {
    let r = &u.report;
    json!({
        "id": u.id,
        "file": u.file_name,
        "mode": if u.mode.as_str() == "replace" { "替换" } else { "合并" },
        "already": u.already_imported,
        "sheet": r.sheet,
        "header_row": r.header_row,
        "accepted": r.accepted_lines,
        "rejected": r.rejected_lines,
        "orders": r.orders,
        "stores": r.stores,
        "ignored": r.ignored_columns,
        "missing": r.missing_optional,
        "problem_count": r.problem_count,
        "warning_count": r.warning_count,
        "problems": r.problems.iter().take(PROBLEMS_SHOWN).collect::<Vec<_>>(),
        "problems_href": (r.problem_count > 0)
            .then(|| format!("{base}api/v1/uploads/{}/problems.csv", u.id)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_come_from_a_comma_list_and_junk_is_ignored() {
        let q = ViewQuery::parse("uploads=3,x,4,");
        assert_eq!(requested_reports(&q), vec![3, 4]);
        assert!(requested_reports(&ViewQuery::default()).is_empty());
    }
}
