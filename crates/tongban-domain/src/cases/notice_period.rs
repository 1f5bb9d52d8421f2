//! Items with a statutory public notice period (公告期): simple deregistration (企业简易注销)
//! is announced publicly for 20 natural days, during which anyone may object; an objection stops
//! the simple path. The period is a pause of the clock; processing after it ends is bounded by
//! the item's promised limit (1 working day).

/// The basic code (基本编码) of 企业简易注销登记.
pub const SIMPLE_DEREGISTRATION: &str = "000101004000";
/// 简易注销公告期: 20 natural days.
pub const SIMPLE_DEREGISTRATION_DAYS: u16 = 20;

pub const REASON: &str = "简易注销公告期";
/// Prefix of the decision's reasons when an objection stops the simple path.
pub const OBJECTION_STOPS: &str =
    "公告期内收到异议，不适用简易注销程序，请按一般注销程序办理。异议理由：";

/// Days of public notice for an item, by its implementation code (which ends in its basic code).
pub fn days(item_code: &str) -> Option<u16> {
    item_code
        .ends_with(SIMPLE_DEREGISTRATION)
        .then_some(SIMPLE_DEREGISTRATION_DAYS)
}
