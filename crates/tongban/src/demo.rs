//! The Xihu District demo: organisation, accounts, catalog and retained certificates, compiled
//! into the binary from `data/xihu/` and loaded into an empty store.

pub mod history;
use serde::Deserialize;
use tongban_domain::accounts::{ApplicantIdentity, NewUser, Role};
use tongban_domain::catalog::{ItemGuide, RetainedCertificate};
use tongban_domain::ids::{IdNumber, Uscc};
use tongban_domain::org::Unit;
use tongban_store::Store;

const ORG: &str = include_str!("../../../data/xihu/org.toml");
const USERS: &str = include_str!("../../../data/xihu/users.toml");
const ITEMS: &str = include_str!("../../../data/xihu/items.toml");
const CERTIFICATES: &str = include_str!("../../../data/xihu/retained_certificates.toml");

#[derive(Deserialize)]
struct OrgFile {
    unit: Vec<Unit>,
}
#[derive(Deserialize)]
struct ItemsFile {
    item: Vec<ItemGuide>,
}
#[derive(Deserialize)]
struct CertificatesFile {
    certificate: Vec<RetainedCertificate>,
}
#[derive(Deserialize)]
pub struct DemoUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub applicant_kind: Option<String>,
    #[serde(default)]
    pub uscc: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    /// Address for e-mail notices (sent when SMTP is configured).
    #[serde(default)]
    pub email: Option<String>,
    /// A serious-dishonesty record to enter for this enterprise (`serious_bad_credit`): it bars
    /// written commitments.
    #[serde(default)]
    pub credit_mark: Option<String>,
}
#[derive(Deserialize)]
struct UsersFile {
    user: Vec<DemoUser>,
}

pub fn units() -> Vec<Unit> {
    toml::from_str::<OrgFile>(ORG)
        .expect("data/xihu/org.toml is valid")
        .unit
}
pub fn items() -> Vec<ItemGuide> {
    toml::from_str::<ItemsFile>(ITEMS)
        .expect("data/xihu/items.toml is valid")
        .item
}
pub fn users() -> Vec<DemoUser> {
    toml::from_str::<UsersFile>(USERS)
        .expect("data/xihu/users.toml is valid")
        .user
}
#[derive(Deserialize)]
pub struct DemoEnterprise {
    pub name: String,
    #[serde(default)]
    pub uscc: Option<String>,
    /// 国民经济行业门类: which inspection matters apply.
    #[serde(default)]
    pub industry: Option<String>,
    /// `enterprise.<key>` facts as typed text; a date may be `-40d` (days before loading).
    #[serde(default)]
    pub facts: std::collections::BTreeMap<String, String>,
}

impl DemoEnterprise {
    /// The typed facts, with relative dates resolved against `today`.
    pub fn typed_facts(
        &self,
        today: jiff::civil::Date,
    ) -> Result<tongban_domain::rules::Facts, String> {
        use tongban_domain::rules::{Value, builtin_facts, parse_value};
        let defs = builtin_facts();
        let mut out = tongban_domain::rules::Facts::new();
        for (k, text) in &self.facts {
            let key = format!("enterprise.{k}");
            let def = defs
                .iter()
                .find(|d| d.key == key)
                .ok_or_else(|| format!("{}: unknown fact {key}", self.name))?;
            let relative = text
                .strip_prefix('-')
                .and_then(|t| t.strip_suffix('d'))
                .and_then(|n| n.parse::<i64>().ok());
            let v = match relative {
                Some(days) => Value::Date(
                    today
                        .checked_sub(jiff::Span::new().days(days))
                        .map_err(|e| e.to_string())?,
                ),
                None => parse_value(def.ty, text).ok_or_else(|| {
                    format!("{}: {key} = {text:?} is not a {}", self.name, def.ty.key())
                })?,
            };
            out.insert(key, v);
        }
        Ok(out)
    }
}

/// The demo's rule sets (`data/xihu/rules/`), each published as version 1.
pub const RULE_SETS: &[&str] = &[
    include_str!("../../../data/xihu/rules/getihu-name-change.toml"),
    include_str!("../../../data/xihu/rules/food-licence-renewal.toml"),
    include_str!("../../../data/xihu/rules/hygiene-licence-renewal.toml"),
    include_str!("../../../data/xihu/rules/kj-rd.toml"),
    include_str!("../../../data/xihu/rules/gx-award.toml"),
    include_str!("../../../data/xihu/rules/dl-award.toml"),
    include_str!("../../../data/xihu/rules/grad.toml"),
    include_str!("../../../data/xihu/rules/talent.toml"),
    include_str!("../../../data/xihu/rules/seal.toml"),
    include_str!("../../../data/xihu/rules/cyxd.toml"),
];

/// Items approved automatically, with their rule sets.
pub const AUTO_ITEMS: &[(&str, &str)] = &[
    ("XH-SPJ-000101014000", "getihu-name-change"),
    ("XH-SPJ-000101015000", "food-licence-renewal"),
    ("XH-SPJ-000101016000", "hygiene-licence-renewal"),
];

#[derive(Deserialize)]
struct PoliciesFile {
    policy: Vec<tongban_domain::policies::Policy>,
}

pub fn policies() -> Vec<tongban_domain::policies::Policy> {
    toml::from_str::<PoliciesFile>(include_str!("../../../data/xihu/policies.toml"))
        .expect("data/xihu/policies.toml is valid")
        .policy
}

/// The demo policies as this year's round: the file's windows (calendar years) moved to `year`,
/// so a demo started in any year has open policies and dated claims.
pub fn policies_of(year: i16) -> Vec<tongban_domain::policies::Policy> {
    let shift = |d: jiff::civil::Date| {
        let to = i16::try_from(i32::from(year) + i32::from(d.year()) - 2026).unwrap_or(year);
        // 29 February moves to 28 February in a common year.
        jiff::civil::Date::new(to, d.month(), d.day())
            .or_else(|_| jiff::civil::Date::new(to, d.month(), 28))
            .unwrap_or(d)
    };
    policies()
        .into_iter()
        .map(|mut p| {
            p.opens = shift(p.opens);
            p.closes = shift(p.closes);
            p
        })
        .collect()
}
#[derive(Deserialize)]
struct EnterprisesFile {
    enterprise: Vec<DemoEnterprise>,
}

#[derive(Deserialize)]
struct RoutesFile {
    route: Vec<tongban_domain::hotline::Route>,
}

/// The demo's routing catalog for the 12345 hotline.
pub fn hotline_routes() -> Vec<tongban_domain::hotline::Route> {
    toml::from_str::<RoutesFile>(include_str!("../../../data/xihu/hotline_routes.toml"))
        .expect("data/xihu/hotline_routes.toml is valid")
        .route
}

pub fn enterprises() -> Vec<DemoEnterprise> {
    toml::from_str::<EnterprisesFile>(include_str!("../../../data/xihu/enterprises.toml"))
        .expect("data/xihu/enterprises.toml is valid")
        .enterprise
}

pub fn certificates() -> Vec<RetainedCertificate> {
    toml::from_str::<CertificatesFile>(CERTIFICATES)
        .expect("data/xihu/retained_certificates.toml is valid")
        .certificate
}

impl DemoUser {
    pub fn new_user(&self) -> Result<NewUser, String> {
        let identity = match (self.applicant_kind.as_deref(), &self.uscc, &self.id_number) {
            (Some("enterprise"), Some(u), _) => Some(ApplicantIdentity::Enterprise(
                Uscc::parse(u).map_err(|e| format!("{}: {e}", self.username))?,
            )),
            (Some("citizen"), _, Some(i)) => Some(ApplicantIdentity::Citizen(
                IdNumber::parse(i).map_err(|e| format!("{}: {e}", self.username))?,
            )),
            _ => None,
        };
        Ok(NewUser {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            unit: self.unit.clone(),
            identity,
        })
    }
}

/// Loads the demo (organisation, accounts, catalog and a dozen cases in every state) into an
/// empty store; does nothing if the organisation is already there. Returns whether it loaded.
///
/// The demo is recorded as if it had happened over the past three weeks: the catalog first,
/// then each case's changes on their own days, so the audit trail reads in order of time.
pub async fn load_if_empty(store: &Store) -> Result<bool, String> {
    load_with_history(store, 0, 0).await
}

/// Months of past the served demo has before its three weeks (the dashboard's trend and its
/// same period last year), and about how many cases a department finishes a month then.
pub const HISTORY_MONTHS: i32 = 14;
pub const HISTORY_PER_MONTH: u32 = 6;

/// The demo with `months` of history before it: the organisation and catalog as they stood then,
/// the history month by month ([`history`]), then the three weeks of today's cases.
pub async fn load_with_history(store: &Store, months: i32, per_month: u32) -> Result<bool, String> {
    let today = store.now().to_zoned(tongban_store::district_tz()).date();
    let Some(origin) = working_days_before(store, today, 14) else {
        return load_base_if_empty(store).await;
    };
    let at = origin
        .at(8, 0, 0, 0)
        .to_zoned(tongban_store::district_tz())
        .map_err(|e| e.to_string())?
        .timestamp();
    let past = store.clone().with_clock(std::sync::Arc::new(move || at));
    if !load_base_if_empty(&past).await? {
        return Ok(false);
    }
    if months > 0 {
        // The organisation, catalog and policies are today's (as the three weeks need them); the
        // history is dated before them and recorded after them in the trail.
        let start = origin
            .checked_sub(jiff::Span::new().months(months))
            .map_err(|e| e.to_string())?
            .first_of_month();
        let made = history::load(store, start, origin, per_month).await?;
        tracing::info!(?made, "demo history from {start}");
        history::load_reports(store, origin).await?;
    }
    load_cases(store).await?;
    load_bundles(store).await?;
    load_policy_claims(store).await?;
    load_inspection(store).await?;
    load_promises(store).await?;
    Ok(true)
}

/// The district's commitments to enterprises (政务诚信): one kept, one kept late, one broken
/// (due ten days ago, not done), one not yet due; dates counted back from the demo's day.
pub async fn load_promises(store: &Store) -> Result<(), String> {
    use tongban_domain::credit::integrity::{NewPromise, PromiseKind};
    let e = |e: tongban_app::Error| format!("demo promise: {e:?}");
    let today = tongban_domain::cases::local_date(store.now());
    let day = |n: i64| {
        today
            .checked_add(jiff::Span::new().days(n))
            .expect("in range")
    };
    /// (who, unit, enterprise, its name, kind, what, document, promised, due, done) in days from today.
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        PromiseKind,
        &'a str,
        &'a str,
        i64,
        i64,
        Option<i64>,
    );
    let rows: [Row; 4] = [
        (
            "approver.czj",
            "XH-CZJ",
            "91360103MA39K2R741",
            "南昌市西湖区洪城数智科技有限公司",
            PromiseKind::Policy,
            "研发费用补助30万元按期拨付",
            "西财企〔2026〕12号",
            -170,
            -40,
            Some(-43),
        ),
        (
            "approver.swu",
            "XH-SWU",
            "91360103MA3B7Q5X27",
            "南昌市西湖区恒通商贸有限公司",
            PromiseKind::Contract,
            "商贸物流园区首年租金减免50%",
            "西商合〔2026〕7号",
            -200,
            -70,
            Some(-48),
        ),
        (
            "approver.cjj",
            "XH-CJJ",
            "91360103MA00GQ961R",
            "南昌市西湖区桃花源物流有限公司",
            PromiseKind::Contract,
            "道路改造工程进度款支付",
            "西建合〔2026〕21号",
            -120,
            -10,
            None,
        ),
        (
            "approver.jkt",
            "XH-JKT",
            "91360103MA39K2R741",
            "南昌市西湖区洪城数智科技有限公司",
            PromiseKind::Policy,
            "首台（套）软件产品奖励兑现",
            "西教科〔2026〕9号",
            -30,
            60,
            None,
        ),
    ];
    for (who, unit, uscc, name, kind, content, document, from, due, done) in rows {
        let user = store
            .user(who)
            .await
            .map_err(|e| e.to_string())?
            .ok_or(who)?;
        let p = tongban_app::credit::integrity::enter(
            store,
            &user,
            NewPromise {
                unit: unit.into(),
                enterprise: uscc.into(),
                enterprise_name: name.into(),
                kind,
                content: content.into(),
                document: document.into(),
                promised_on: day(from),
                due: day(due),
            },
        )
        .await
        .map_err(e)?;
        if let Some(d) = done {
            tongban_app::credit::integrity::fulfil(
                store,
                &user,
                &p.id,
                day(d),
                "已兑现，资金已拨付至企业账户",
            )
            .await
            .map_err(e)?;
        }
    }
    Ok(())
}

/// 免申即享 grants run once, and `company`'s declarations: one paid, one under joint review.
pub async fn load_policy_claims(store: &Store) -> Result<(), String> {
    let e = |e: tongban_store::StoreError| e.to_string();
    let today = tongban_domain::cases::local_date(store.now());
    // The demo's policies run for the year they were loaded in (three weeks back); in the first
    // weeks of a year that round is closed today, and then no claims are made.
    // Declarations carry files: a store without a file directory (some tests) gets none.
    let round: Vec<_> = store
        .policies()
        .await
        .map_err(e)?
        .into_iter()
        .map(|r| r.policy)
        .collect();
    if !round.iter().all(|p| p.open_on(today)) || !store.has_files() {
        return Ok(());
    }
    for p in round.iter().filter(|p| p.exempt) {
        store.grant_exempt("system", &p.code).await.map_err(e)?;
    }
    let (uscc, user) = ("91360103MA39K2R741", "company");
    let (name, facts) = store
        .enterprise_facts(uscc, today)
        .await
        .map_err(e)?
        .ok_or("demo enterprise")?;
    let pdf = b"%PDF-1.4\n% demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let mut ids = Vec::new();
    for code in ["TALENT", "KJ-RD"] {
        let p = store
            .policy(code)
            .await
            .map_err(e)?
            .ok_or("demo policy")?
            .policy;
        let rs = store
            .rule_set_in_force(&p.rule_set, today)
            .await
            .map_err(e)?
            .ok_or("demo rule set")?;
        let mut materials = Vec::new();
        for m in &p.materials {
            let f = store
                .put_file("材料.pdf", "application/pdf", pdf.clone())
                .await
                .map_err(e)?;
            materials.push(tongban_domain::policies::DeclaredMaterial {
                name: m.clone(),
                file: Some(f),
            });
        }
        let d = store
            .declare(user, &p, uscc, &name, &facts, rs.decide(&facts), materials)
            .await
            .map_err(e)?;
        ids.push((d.id, p));
    }
    // The talent award went through both departments and was paid today.
    let (id, p) = &ids[0];
    for (who, unit) in [("approver.rsj", "XH-RSJ"), ("approver.czj", "XH-CZJ")] {
        store
            .sign_declaration(who, unit, id, true, "材料齐全，同意")
            .await
            .map_err(e)?;
    }
    store
        .pay_declaration(
            // The finance bureau's treasury records the money; its reviewer signed.
            "clerk.czj",
            &p.payer,
            id,
            today,
            &format!("XHCZ-{}-0001", today.year()),
        )
        .await
        .map_err(e)?;
    // The R&D subsidy waits for the finance bureau.
    store
        .sign_declaration(
            "approver.jkt",
            "XH-JKT",
            &ids[1].0,
            true,
            "研发费用审计报告属实",
        )
        .await
        .map_err(e)?;
    Ok(())
}

/// A start-up bundle with its licence under review, and a construction project in its first
/// stage, so the bundle pages and boards have something to show.
pub async fn load_bundles(store: &Store) -> Result<(), String> {
    use tongban_domain::bundles::ConstructionForm;
    use tongban_domain::bundles::startup::StartupForm;
    let user = |name: &str| {
        let store = store.clone();
        let name = name.to_string();
        async move {
            store
                .user(&name)
                .await
                .map_err(|e| e.to_string())?
                .ok_or(name)
        }
    };
    let founder = user("citizen").await?;
    // A 500 000 元 company of three.
    let mut startup = StartupForm::sample(
        "南昌市西湖区赣江源数字科技有限公司",
        &founder.display_name,
        "360103199003120276",
    );
    startup.business_scope = "软件开发；信息技术咨询服务；数据处理服务".into();
    startup.staff = 3;
    startup.registered_capital_fen = 50_000_000;
    startup.shareholders[0].contribution_fen = 50_000_000;
    let b = tongban_app::bundles::start_startup(store, &founder, startup)
        .await
        .map_err(|e| format!("demo bundle: {e:?}"))?;
    // The licence window has accepted it.
    let clerk = user("clerk.spj").await?;
    if let Some(licence) = b
        .parts
        .iter()
        .find(|p| p.key == "licence")
        .and_then(|p| p.case_id.clone())
    {
        tongban_app::cases::run_command(
            store,
            &clerk,
            &licence,
            tongban_domain::cases::Command::Accept {
                commitments: vec![],
            },
        )
        .await
        .map_err(|e| format!("demo bundle licence: {e:?}"))?;
    }
    let builder = user("company").await?;
    let project = ConstructionForm {
        project_name: "西湖区朝农科创园一期".into(),
        location: "南昌市西湖区朝农路18号".into(),
        land_area_m2: 20_000,
        floor_area_m2: 56_000,
        investment_fen: 30_000_000_000,
        description: "研发楼及配套用房".into(),
        contact_name: "周工".into(),
        contact_phone: "13907910123".into(),
        major: true,
    };
    let p = tongban_app::bundles::start_construction(store, &builder, project)
        .await
        .map_err(|e| format!("demo project: {e:?}"))?;
    store
        .set_project_manager("system", &p.id, "supervisor")
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The demo's serious-dishonesty record: entered by the market regulator two months before the
/// demo's day, so it is published and not yet repairable.
fn serious_dishonesty(
    store: &Store,
    name: &str,
    identity: &tongban_domain::accounts::ApplicantIdentity,
) -> tongban_domain::credit::NewRecord {
    use tongban_domain::credit::{self, CreditKind, NewRecord, Severity};
    let (subject_kind, subject_id) = tongban_store::credit::subject_of(identity);
    let today = tongban_domain::cases::local_date(store.now());
    NewRecord {
        subject_kind,
        subject_id,
        subject_name: name.to_string(),
        kind: CreditKind::SeriousDishonesty,
        severity: Severity::Serious,
        unit: "XH-SCJ".into(),
        document: format!("洪西市监信〔{}〕3号", today.year()),
        decided_on: today
            .checked_sub(jiff::Span::new().months(2))
            .expect("in range"),
        legal_basis: credit::SERIOUS_DISHONESTY_BASIS.into(),
        summary: "演示：拒不履行行政处罚决定，列入严重失信主体名单".into(),
        publish_months: None,
        case_id: None,
    }
}

/// The demo without cases (the tests start from it to count their own cases).
pub async fn load_base_if_empty(store: &Store) -> Result<bool, String> {
    if !store.units().await.map_err(|e| e.to_string())?.is_empty() {
        return Ok(false);
    }
    let units = units();
    store
        .upsert_units("system", &units)
        .await
        .map_err(|e| e.to_string())?;
    let unit_exists = |c: &str| units.iter().any(|u| u.code == c);
    for u in users() {
        let new = u.new_user()?;
        new.validate(&u.password, &unit_exists)
            .map_err(|e| format!("demo user {}: {e:?}", u.username))?;
        let hash = tongban_app::accounts::hash_password(u.password.clone())
            .await
            .map_err(|e| e.to_string())?;
        store
            .create_user("system", &new, &hash)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(email) = &u.email {
            store
                .set_email("system", &u.username, Some(email))
                .await
                .map_err(|e| e.to_string())?;
        }
        if let (Some(_), Some(identity)) = (&u.credit_mark, &new.identity) {
            store
                .record_credit(
                    "system",
                    serious_dishonesty(store, &u.display_name, identity),
                )
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let items = items();
    for g in &items {
        g.validate(&unit_exists)
            .map_err(|e| format!("demo item {}: {e:?}", g.code))?;
    }
    store
        .import_items("system", &items, true, "演示数据初始版本")
        .await
        .map_err(|e| e.to_string())?;
    for c in certificates() {
        store
            .save_retained_certificate("system", None, &c)
            .await
            .map_err(|e| e.to_string())?;
    }
    for r in hotline_routes() {
        store
            .save_route("system", &r)
            .await
            .map_err(|e| e.to_string())?;
    }
    for (i, e) in enterprises().into_iter().enumerate() {
        // Demo entities without a code get one by the licence's rule, far from new serials.
        let uscc = match &e.uscc {
            Some(u) => u.clone(),
            None => tongban_domain::ids::new_enterprise_uscc("360103", 500_000 + i as u32)
                .ok_or("demo enterprise code")?
                .as_str()
                .to_string(),
        };
        store
            .register_enterprise("system", &uscc, &e.name)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(industry) = &e.industry {
            store
                .set_enterprise_industry("system", &uscc, industry)
                .await
                .map_err(|e| e.to_string())?;
        }
        if !e.facts.is_empty() {
            let today = tongban_domain::cases::local_date(store.now());
            store
                .set_enterprise_facts("system", &uscc, &e.typed_facts(today)?)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    load_rules(store).await?;
    load_inspection_lists(store, &units).await?;
    Ok(true)
}

const MATTERS: &str = include_str!("../../../data/xihu/inspection/matters.toml");
const INSPECTORS: &str = include_str!("../../../data/xihu/inspection/inspectors.toml");
const LICENCE_TYPES: &str = include_str!("../../../data/xihu/licences/types.toml");

/// The 抽查事项清单, the inspector directory, the three credit lists and the licence types, as
/// their first versions.
async fn load_inspection_lists(store: &Store, units: &[Unit]) -> Result<(), String> {
    use tongban_domain::inspection::plan::{InspectorDirectory, MatterList};
    use tongban_store::inspection as lists;
    let codes = units.iter().map(|u| u.code.clone()).collect();
    let matters = MatterList::parse(MATTERS, &codes).map_err(|e| format!("demo matters: {e:?}"))?;
    InspectorDirectory::parse(INSPECTORS, &codes, &matters)
        .map_err(|e| format!("demo inspectors: {e:?}"))?;
    let item_codes: std::collections::BTreeSet<String> =
        items().into_iter().map(|g| g.code).collect();
    tongban_domain::licences::licence::LicenceTypes::parse(LICENCE_TYPES, &|i| {
        item_codes.contains(i)
    })
    .map_err(|e| format!("demo licence types: {e:?}"))?;
    for (list, text) in [
        (lists::MATTERS, MATTERS),
        (lists::INSPECTORS, INSPECTORS),
        (
            tongban_store::credit::LISTS,
            tongban_domain::credit::lists::BASELINE,
        ),
        (tongban_store::licences::TYPES, LICENCE_TYPES),
    ] {
        store
            .save_list("system", list, text, "演示数据初始版本")
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Two plans of 双随机、一公开: one drawn a week ago (special equipment, by the market regulator)
/// with the high-risk check's result published and the other check open for its team; a joint
/// plan published today, to be drawn in three days; and a risk warning to verify.
pub async fn load_inspection(store: &Store) -> Result<(), String> {
    use tongban_app::inspection as uc;
    use tongban_domain::inspection::draw::Ratios;
    use tongban_domain::inspection::plan::{NewPlan, NewResult, Outcome};
    let e = |e: tongban_app::Error| format!("demo inspection: {e:?}");
    let tz = tongban_store::district_tz();
    let today = tongban_domain::cases::local_date(store.now());
    let (Some(published), Some(drawn), Some(checked)) = (
        working_days_before(store, today, 8),
        working_days_before(store, today, 6),
        working_days_before(store, today, 3),
    ) else {
        tracing::warn!("demo inspection skipped: the calendar does not cover the past weeks");
        return Ok(());
    };
    let on = |d: jiff::civil::Date, h: i8| {
        let t = d
            .at(h, 0, 0, 0)
            .to_zoned(tz.clone())
            .expect("valid local time")
            .timestamp()
            .min(store.now());
        store.clone().with_clock(std::sync::Arc::new(move || t))
    };
    let user = |name: &'static str| async move {
        store
            .user(name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| name.to_string())
    };
    let supervisor = user("supervisor").await?;
    let plan = uc::publish_plan(
        &on(published, 10),
        &supervisor,
        NewPlan {
            title: format!("{}年特种设备使用单位双随机抽查", today.year()),
            matters: vec!["SCJ-04".into()],
            ratios: Ratios::default(),
            team_size: 2,
            outside_source: format!("中国福利彩票“快乐8”（{drawn}）开奖号码"),
            draw_on: drawn,
        },
    )
    .await
    .map_err(e)?;
    let plan = uc::draw(
        &on(drawn, 10),
        &supervisor,
        &plan.id,
        "03 07 12 18 21 26 33 35 41 44 49 52 58 61 66 70 72 75 77 80",
    )
    .await
    .map_err(e)?;
    let checks = store
        .checks_of_plan(&plan.id)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(first) = checks.first() {
        let inspector = user("inspector.scj").await?;
        uc::enter_result(
            &on(checked, 15),
            &inspector,
            &first.id,
            NewResult {
                checked_on: checked,
                outcome: Outcome::Corrected,
                findings: "叉车1台未按期定期检验，已当场责令停止使用并限期10日内完成检验。".into(),
                penalty: None,
                photos: vec![],
            },
        )
        .await
        .map_err(e)?;
    }
    let draw_on = today
        .checked_add(jiff::Span::new().days(3))
        .map_err(|e| e.to_string())?;
    uc::publish_plan(
        store,
        &supervisor,
        NewPlan {
            title: format!("{}年第四季度市场监管、劳动保障联合抽查", today.year()),
            matters: vec!["SCJ-01".into(), "SCJ-02".into(), "RSJ-01".into()],
            ratios: Ratios::default(),
            team_size: 2,
            outside_source: format!("中国福利彩票“快乐8”（{draw_on}）开奖号码"),
            draw_on,
        },
    )
    .await
    .map_err(e)?;
    // A risk warning from the police for the market regulator to verify.
    let police = user("clerk.ga").await?;
    tongban_app::warnings::raise(
        store,
        &police,
        tongban_domain::inspection::warning::NewWarning {
            entity: "91360103MA3B7Q5X27".into(),
            entity_name: "南昌市西湖区恒通商贸有限公司".into(),
            unit: "XH-SCJ".into(),
            reason: "治安检查发现该企业仓库存放大量无中文标签的进口食品".into(),
        },
    )
    .await
    .map_err(e)?;
    Ok(())
}

/// Rule sets, the items they approve automatically, and the benefit policies.
async fn load_rules(store: &Store) -> Result<(), String> {
    for src in RULE_SETS {
        let rs =
            tongban_domain::rules::compile(src).map_err(|e| format!("demo rule set: {e:?}"))?;
        store
            .save_rule_set("system", &rs, true)
            .await
            .map_err(|e| e.to_string())?;
    }
    for (item, rs) in AUTO_ITEMS {
        store
            .set_item_rule("system", item, Some(rs))
            .await
            .map_err(|e| e.to_string())?;
    }
    let units = units();
    let year = tongban_domain::cases::local_date(store.now()).year();
    for p in policies_of(year) {
        let e = p.validate(&|c| units.iter().any(|u| u.code == c));
        if !e.is_empty() {
            return Err(format!("demo policy {}: {e:?}", p.code));
        }
        store
            .save_policy("system", &p)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A demo case: who applies for what, and how far it has gone, `days_ago` working days back.
struct DemoCase {
    item: &'static str,
    applicant: &'static str,
    details: &'static str,
    /// Working days before today on which it was submitted.
    days_ago: u32,
    /// Steps after submission, in order.
    steps: &'static [DemoStep],
}

#[derive(Clone, Copy)]
enum DemoStep {
    Correction,
    Resubmit,
    Accept,
    Review,
    Approve,
    Issue,
}

/// Cases in every state the queues and boards show, dated relative to today so that on any day
/// the demo has something overdue, something due soon and something finished on time.
const CASES: &[DemoCase] = &[
    DemoCase {
        item: "XH-SPJ-000101007000",
        applicant: "company",
        details: "西湖区洪城路88号门店公共场所卫生许可",
        days_ago: 6,
        steps: &[DemoStep::Accept],
    },
    DemoCase {
        item: "XH-SPJ-000101006000",
        applicant: "company",
        details: "新开门店食品经营许可（预包装食品销售）",
        days_ago: 2,
        steps: &[DemoStep::Accept, DemoStep::Review],
    },
    DemoCase {
        item: "XH-SPJ-000101008000",
        applicant: "trader",
        details: "药品零售企业许可申请",
        days_ago: 1,
        steps: &[DemoStep::Correction],
    },
    DemoCase {
        item: "XH-SPJ-000101010000",
        applicant: "company",
        details: "人力资源服务许可",
        days_ago: 12,
        steps: &[
            DemoStep::Accept,
            DemoStep::Review,
            DemoStep::Approve,
            DemoStep::Issue,
        ],
    },
    DemoCase {
        item: "XH-SPJ-000101011000",
        applicant: "company",
        details: "门头户外广告设置",
        days_ago: 9,
        steps: &[
            DemoStep::Correction,
            DemoStep::Resubmit,
            DemoStep::Accept,
            DemoStep::Review,
            DemoStep::Approve,
        ],
    },
    DemoCase {
        item: "XH-SPJ-000101007000",
        applicant: "citizen",
        details: "社区健身房公共场所卫生许可",
        days_ago: 0,
        steps: &[],
    },
];

/// `n` working days before `today`, or `None` when the calendar does not reach that far back.
fn working_days_before(
    store: &Store,
    today: jiff::civil::Date,
    n: u32,
) -> Option<jiff::civil::Date> {
    let cal = store.calendar();
    let mut d = today;
    let mut left = n;
    while left > 0 {
        d = d.yesterday().ok()?;
        if cal.is_working_day(d).ok()? {
            left -= 1;
        }
    }
    Some(d)
}

/// Loads the demo cases, each change stamped at its own past time through the one write path.
pub async fn load_cases(store: &Store) -> Result<(), String> {
    use tongban_domain::cases::{self, ApplicationForm, Command, CorrectionItem};
    let tz = tongban_store::district_tz();
    let today = store.now().to_zoned(tz.clone()).date();
    let at = |d: jiff::civil::Date, h: i8, m: i8| -> jiff::Timestamp {
        d.at(h, m, 0, 0)
            .to_zoned(tz.clone())
            .expect("valid local time")
            .timestamp()
    };
    let user = |name: &str| {
        let store = store.clone();
        let name = name.to_string();
        async move {
            store
                .user(&name)
                .await
                .map_err(|e| e.to_string())?
                .ok_or(name)
        }
    };
    let (clerk, approver) = (user("clerk.spj").await?, user("approver.spj").await?);
    // Oldest first, so that case numbers and the audit trail follow time.
    let mut order: Vec<&DemoCase> = CASES.iter().collect();
    order.sort_by_key(|c| std::cmp::Reverse(c.days_ago));
    for (n, dc) in order.into_iter().enumerate() {
        let Some(day) = working_days_before(store, today, dc.days_ago) else {
            tracing::warn!("demo cases skipped: the calendar does not cover the past weeks");
            return Ok(());
        };
        let applicant = user(dc.applicant).await?;
        let item = store
            .published_item(dc.item)
            .await
            .map_err(|e| e.to_string())?
            .ok_or(dc.item)?;
        // Each case's changes happen through the morning of its day, a few minutes apart.
        let mut minute = 0i8;
        let now = store.now();
        let mut tick = |store: &Store| {
            // Never in the future: today's cases happen before the demo is loaded.
            let t = at(day, 9 + (n as i8 % 3), minute).min(now);
            minute += 7;
            store.clone().with_clock(std::sync::Arc::new(move || t))
        };
        let s = tick(store);
        let id_number = match &applicant.identity {
            Some(ApplicantIdentity::Enterprise(u)) => u.as_str().to_string(),
            Some(ApplicantIdentity::Citizen(i)) => i.as_str().to_string(),
            None => String::new(),
        };
        let case = s
            .create_case(&applicant.username, |id, now| {
                cases::new_draft(cases::NewCase {
                    id,
                    guide: &item.guide,
                    item_version: item.version,
                    applicant: applicant.username.clone(),
                    applicant_name: applicant.display_name.clone(),
                    applicant_id_number: id_number,
                    proxy: None,
                    form: ApplicationForm {
                        contact_name: applicant.display_name.chars().take(20).collect(),
                        contact_phone: "13807910000".into(),
                        address: "南昌市西湖区".into(),
                        details: dc.details.into(),
                        fields: Default::default(),
                    },
                    now,
                })
            })
            .await
            .map_err(|e| e.to_string())?;
        let mut plan: Vec<(&tongban_store::accounts::User, Command)> =
            vec![(&applicant, Command::Submit)];
        for step in dc.steps {
            match step {
                DemoStep::Correction => plan.push((
                    &clerk,
                    Command::RequestCorrection {
                        items: vec![CorrectionItem {
                            material: item.guide.materials[0].name.clone(),
                            problem: "缺少法定代表人签字".into(),
                        }],
                    },
                )),
                DemoStep::Resubmit => plan.push((&applicant, Command::Submit)),
                DemoStep::Accept => plan.push((
                    &clerk,
                    Command::Accept {
                        commitments: vec![],
                    },
                )),
                DemoStep::Review => {
                    for st in &case.process.review {
                        let who = if st.actor == tongban_domain::catalog::StepActor::Approver {
                            &approver
                        } else {
                            &clerk
                        };
                        plan.push((
                            who,
                            Command::CompleteStep {
                                opinion: "材料齐全，符合要求".into(),
                            },
                        ));
                    }
                }
                DemoStep::Approve => plan.push((
                    &approver,
                    Command::Approve {
                        reasons: "经审查，符合法定条件和标准".into(),
                    },
                )),
                DemoStep::Issue => plan.push((&clerk, Command::Issue)),
            }
        }
        // Each step applied as recorded, at its own past time; straight through the domain, so
        // an item decided by rules still shows the clerk's path the demo describes.
        for (who, cmd) in plan {
            tongban_app::cases::apply_recorded(&tick(store), who, &case.id, &cmd)
                .await
                .map_err(|e| format!("demo case {}: {}: {e}", case.id, cmd.name()))?;
        }
    }
    Ok(())
}
