//! The demo payment page a payment order's QR code opens, so that the whole payment flow works
//! with a phone or a browser: it shows the order and a 确认支付 button that marks it paid.

use super::{SharedState, now_ms, storage_error};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use citizen_window_protocol::paths;
use citizen_window_protocol::services::PaymentStatus;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn page_html(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>body{{font-family:sans-serif;font-size:20px;margin:2em}}button{{font-size:24px;padding:.5em 2em}}</style>\
         </head><body>{body}<p><small>演示支付 Demo payment — no money moves.</small></p></body></html>"
    ))
}

pub async fn page(State(state): State<SharedState>, Path(order_id): Path<String>) -> Response {
    let order = match state.storage.payment_order(&order_id, None, now_ms()).await {
        Ok(Some(order)) => order,
        Ok(None) => {
            return (StatusCode::NOT_FOUND, page_html("订单不存在", "<h1>订单不存在 Order not found</h1>"))
                .into_response();
        }
        Err(e) => return storage_error(e),
    };
    let amount = format!("￥{}.{:02}", order.amount_fen / 100, order.amount_fen % 100);
    let body = if order.status == PaymentStatus::Pending {
        format!(
            "<h1>确认支付 Confirm payment</h1><p>户号 Account: {}</p><p>金额 Amount: {amount}</p>\
             <form method=\"post\" action=\"{}\"><button type=\"submit\">确认支付</button></form>",
            escape(&order.account),
            escape(&paths::fill(paths::DEMO_PAY_CONFIRM, &[&order.order_id]))
        )
    } else {
        format!("<h1>订单状态 Order status: {:?}</h1><p>金额 Amount: {amount}</p>", order.status)
    };
    page_html("支付 Payment", &body).into_response()
}

pub async fn confirm(State(state): State<SharedState>, Path(order_id): Path<String>) -> Response {
    match state.storage.close_payment_order(&order_id, None, PaymentStatus::Paid, now_ms()).await {
        Ok(Some(order)) if order.status == PaymentStatus::Paid => page_html(
            "支付成功",
            "<h1>支付成功 Payment complete</h1><p>请回到终端取回执 Return to the kiosk for your receipt.</p>",
        )
        .into_response(),
        Ok(Some(_)) => {
            (StatusCode::CONFLICT, page_html("无法支付", "<h1>订单已关闭 Order closed</h1>")).into_response()
        }
        Ok(None) => {
            (StatusCode::NOT_FOUND, page_html("订单不存在", "<h1>订单不存在 Order not found</h1>")).into_response()
        }
        Err(e) => storage_error(e),
    }
}
