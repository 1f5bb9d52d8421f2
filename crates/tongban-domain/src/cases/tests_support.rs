//! Test data shared by the cases and bundles tests.

use crate::catalog::{ItemGuide, Material, MaterialForm, OnlineDepth, Step, StepActor, TimeLimit};

fn step(name: &str, actor: StepActor) -> Step {
    Step {
        name: name.into(),
        actor,
        description: String::new(),
    }
}

pub fn guide() -> ItemGuide {
    let m = |name: &str, required| Material {
        name: name.into(),
        form: MaterialForm::Electronic,
        copies: 1,
        required,
        shared_by: None,
        note: String::new(),
    };
    ItemGuide {
        code: "XH-SPJ-000101001000".into(),
        basic_code: "000101001000".into(),
        name: "食品经营许可".into(),
        kind: crate::catalog::ItemKind::Licensing,
        level: crate::catalog::Level::District,
        unit: "XH-SPJ".into(),
        themes: vec![],
        keywords: vec![],
        legal_basis: "《中华人民共和国食品安全法》".into(),
        conditions: "有与经营相适应的场所".into(),
        materials: vec![m("申请书", true), m("场所证明", true), m("其他", false)],
        baseline_materials: 5,
        steps: vec![
            step("申请", StepActor::Applicant),
            step("受理", StepActor::Clerk),
            step("审查", StepActor::Clerk),
            step("决定", StepActor::Approver),
            step("送达", StepActor::Clerk),
        ],
        legal_limit: TimeLimit::WorkingDays(20),
        promised_limit: TimeLimit::WorkingDays(5),
        promise_note: String::new(),
        online_depth: OnlineDepth::FullyOnline,
        visits: 0,
        fee_fen: 0,
        fee_basis: String::new(),
        intermediary_services: vec![],
        special_procedures: String::new(),
        address: "西湖区".into(),
        hours: "工作日".into(),
        consult_phone: "0791-1".into(),
        complaint_phone: "0791-2".into(),
        online_url: String::new(),
    }
}
