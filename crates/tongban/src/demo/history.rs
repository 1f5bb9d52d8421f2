//! A year and more of the district's past for the demo: cases of eight departments finished on
//! time or late, their ratings (bad ones rectified and called back) and 12345 tickets replied and
//! called back, month by month — so the dashboard has a trend and a same-period-last-year. Every
//! record is made by the same use cases as today's, each at its own past time (the store's clock
//! set back), in order of time, so the audit trail, the tallies and the clocks are real.

use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::HashMap;
use tongban_domain::accounts::ApplicantIdentity;
use tongban_domain::cases::{self, ApplicationForm, Command};
use tongban_domain::catalog::{StepActor, TimeLimit};
use tongban_store::Store;
use tongban_store::accounts::User;

/// Units with demo clerks and approvers whose items the history covers: (unit, clerk, approver).
const UNITS: &[(&str, &str, &str)] = &[
    ("XH-SPJ", "clerk.spj", "approver.spj"),
    ("XH-GA", "clerk.ga", "approver.ga"),
    ("XH-SWJ", "clerk.swj", "approver.swj"),
    ("XH-RSJ", "clerk.rsj", "approver.rsj"),
    ("XH-YBJ", "clerk.ybj", "approver.ybj"),
    ("XH-GJJ", "clerk.gjj", "approver.gjj"),
    ("XH-ZRZY", "clerk.zrzy", "approver.zrzy"),
    ("XH-FGW", "clerk.fgw", "approver.fgw"),
];

/// Units hotline tickets are sent to, with the clerk who replies.
const HOTLINE: &[(&str, &str)] = &[
    ("XH-CJJ", "clerk.cjj"),
    ("XH-NP", "clerk.np"),
    ("XH-SCJ", "clerk.scj"),
    ("XH-RSJ", "clerk.rsj"),
];

/// A small deterministic generator (xorshift): the same demo every time, and the tests'
/// seeded sequences of changes.
pub struct Dice(pub u64);
impl Dice {
    /// A number below `n` (0 when `n` is 0).
    pub fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// One thing that happens, at its time.
enum Ev {
    NewCase {
        slot: usize,
        item: String,
        applicant: &'static str,
    },
    Case {
        slot: usize,
        who: String,
        cmd: Command,
    },
    Rate {
        slot: usize,
        level: &'static str,
        urgent: bool,
    },
    Rectify {
        slot: usize,
        clerk: &'static str,
    },
    RectifyCallBack {
        slot: usize,
        satisfied: bool,
    },
    Call {
        slot: usize,
        lead: &'static str,
        street: &'static str,
    },
    Reply {
        slot: usize,
        clerk: &'static str,
    },
    HotlineCallBack {
        slot: usize,
        satisfied: bool,
    },
}

/// Counts what was made (the demo logs it; the tests check it).
#[derive(Debug, Default, Clone, Copy)]
pub struct Made {
    pub cases: usize,
    pub ratings: usize,
    pub tickets: usize,
}

/// Makes the district's past from `from` up to (not including) `until`, `per_month` cases per
/// department-month on average and as many hotline tickets per month.
pub async fn load(store: &Store, from: Date, until: Date, per_month: u32) -> Result<Made, String> {
    let cal = store.calendar();
    let tz = tongban_store::district_tz();
    let at = |d: Date, h: i8, m: i8| -> Timestamp {
        d.at(h, m, 0, 0)
            .to_zoned(tz.clone())
            .expect("a local time")
            .timestamp()
    };
    let working = |d: Date| cal.is_working_day(d).unwrap_or(false);
    let add = |d: Date, n: u32| cal.add_working_days(d, n).ok();
    let guides = store.published_guides().await.map_err(|e| e.to_string())?;
    let items: Vec<(&str, Vec<&tongban_domain::catalog::ItemGuide>)> = UNITS
        .iter()
        .map(|(u, _, _)| (*u, guides.iter().filter(|g| g.unit == *u).collect()))
        .collect();
    let mut dice = Dice(0x5eed_2021);
    let mut evs: Vec<(Timestamp, usize, Ev)> = Vec::new();
    let push = |evs: &mut Vec<(Timestamp, usize, Ev)>, t: Timestamp, e: Ev| {
        let n = evs.len();
        evs.push((t, n, e));
    };
    let (mut case_slots, mut call_slots) = (0usize, 0usize);
    let mut day = from;
    while day < until {
        if working(day) {
            // A department sees a case on about one working day in `21 / per_month`.
            for (u, clerk, approver) in UNITS {
                let list = &items.iter().find(|(x, _)| x == u).expect("listed").1;
                if list.is_empty() || dice.roll(21) >= u64::from(per_month) {
                    continue;
                }
                let g = list[dice.roll(list.len() as u64) as usize];
                let promised = match g.promised_limit {
                    TimeLimit::WorkingDays(d) => u32::from(d),
                    _ => 0,
                };
                let legal = match g.legal_limit {
                    TimeLimit::WorkingDays(d) => u32::from(d),
                    _ => promised,
                };
                // Most within the promise, some within the law only, a few late.
                let r = dice.roll(100);
                let k = if r < 75 || legal <= promised {
                    dice.roll(u64::from(promised) + 1) as u32
                } else if r < 93 {
                    promised + 1 + dice.roll(u64::from(legal - promised)) as u32
                } else {
                    legal + 1 + dice.roll(3) as u32
                };
                let Some(end) = add(day, k) else { continue };
                if end >= until {
                    continue;
                }
                let slot = case_slots;
                case_slots += 1;
                let applicant = if dice.roll(2) == 0 {
                    "company"
                } else {
                    "citizen"
                };
                let h = 9 + dice.roll(3) as i8;
                push(
                    &mut evs,
                    at(day, h, 0),
                    Ev::NewCase {
                        slot,
                        item: g.code.clone(),
                        applicant,
                    },
                );
                push(
                    &mut evs,
                    at(day, h, 5),
                    Ev::Case {
                        slot,
                        who: applicant.into(),
                        cmd: Command::Submit,
                    },
                );
                push(
                    &mut evs,
                    at(day, h, 30),
                    Ev::Case {
                        slot,
                        who: clerk.to_string(),
                        cmd: Command::Accept {
                            commitments: vec![],
                        },
                    },
                );
                let process = cases::Process::from_steps(&g.steps);
                let by = |a: StepActor| {
                    if a == StepActor::Approver {
                        *approver
                    } else {
                        *clerk
                    }
                };
                for (i, st) in process.review.iter().enumerate() {
                    let who = by(st.actor);
                    push(
                        &mut evs,
                        at(end, 13, 10 * i as i8),
                        Ev::Case {
                            slot,
                            who: who.to_string(),
                            cmd: Command::CompleteStep {
                                opinion: "材料齐全，符合要求".into(),
                            },
                        },
                    );
                }
                push(
                    &mut evs,
                    at(end, 15, 0),
                    Ev::Case {
                        slot,
                        who: by(process.decision.actor).to_string(),
                        cmd: Command::Approve {
                            reasons: "经审查，符合法定条件和标准".into(),
                        },
                    },
                );
                push(
                    &mut evs,
                    at(end, 16, 0),
                    Ev::Case {
                        slot,
                        who: clerk.to_string(),
                        cmd: Command::Issue,
                    },
                );
                // Three in four rate the service the next working day; one in ten is bad.
                if dice.roll(4) > 0 {
                    let Some(next) = add(end, 1).filter(|d| *d < until) else {
                        continue;
                    };
                    let r = dice.roll(100);
                    let level = match r {
                        0..=44 => "very_satisfied",
                        45..=79 => "satisfied",
                        80..=89 => "basic",
                        90..=95 => "dissatisfied",
                        _ => "very_dissatisfied",
                    };
                    let bad = r >= 90;
                    let urgent = bad && dice.roll(2) == 0;
                    push(
                        &mut evs,
                        at(next, 10, 0),
                        Ev::Rate {
                            slot,
                            level,
                            urgent,
                        },
                    );
                    if bad {
                        // Rectified by the deadline mostly (one day when urgent), else late.
                        let due = if urgent { 1 } else { 5 };
                        let days = if dice.roll(5) == 0 {
                            due + 2
                        } else {
                            dice.roll(u64::from(due)) as u32 + 1
                        };
                        if let Some(fix) = add(next, days).filter(|d| *d < until) {
                            push(&mut evs, at(fix, 11, 0), Ev::Rectify { slot, clerk });
                            if let Some(call) = add(fix, 1).filter(|d| *d < until) {
                                push(
                                    &mut evs,
                                    at(call, 10, 30),
                                    Ev::RectifyCallBack {
                                        slot,
                                        satisfied: dice.roll(7) > 0,
                                    },
                                );
                            }
                        }
                    }
                }
            }
            // Hotline calls: about `per_month` a month.
            if dice.roll(21) < u64::from(per_month) {
                let (lead, clerk) = HOTLINE[dice.roll(HOTLINE.len() as u64) as usize];
                let slot = call_slots;
                call_slots += 1;
                let days = if dice.roll(8) == 0 {
                    7 + dice.roll(3) as u32
                } else {
                    1 + dice.roll(4) as u32
                };
                if let Some(reply) = add(day, days).filter(|d| *d < until) {
                    push(
                        &mut evs,
                        at(day, 14, 0),
                        Ev::Call {
                            slot,
                            lead,
                            street: "XH-NP",
                        },
                    );
                    push(&mut evs, at(reply, 15, 0), Ev::Reply { slot, clerk });
                    if let Some(call) = add(reply, 1).filter(|d| *d < until) {
                        push(
                            &mut evs,
                            at(call, 9, 30),
                            Ev::HotlineCallBack {
                                slot,
                                satisfied: dice.roll(6) > 0,
                            },
                        );
                    }
                }
            }
        }
        day = day.tomorrow().map_err(|e| e.to_string())?;
    }
    evs.sort_by_key(|(t, n, _)| (*t, *n));
    run(store, evs).await
}

async fn run(store: &Store, evs: Vec<(Timestamp, usize, Ev)>) -> Result<Made, String> {
    let mut users: HashMap<String, User> = HashMap::new();
    let mut user = async |name: &str| -> Result<User, String> {
        if let Some(u) = users.get(name) {
            return Ok(u.clone());
        }
        let u = store
            .user(name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or(name.to_string())?;
        users.insert(name.to_string(), u.clone());
        Ok(u)
    };
    let (mut case_ids, mut tickets, mut calls): (
        HashMap<usize, String>,
        HashMap<usize, String>,
        HashMap<usize, String>,
    ) = Default::default();
    let mut made = Made::default();
    let mut stopped: std::collections::HashSet<usize> = Default::default();
    let (supervisor, operator) = (user("supervisor").await?, user("operator").await?);
    for (t, _, ev) in evs {
        let s = store.clone().with_clock(std::sync::Arc::new(move || t));
        let e = |e: tongban_app::Error| format!("demo history at {t}: {e:?}");
        match ev {
            Ev::NewCase {
                slot,
                item,
                applicant,
            } => {
                let who = user(applicant).await?;
                let item = s
                    .published_item(&item)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or(item)?;
                let id_number = match &who.identity {
                    Some(ApplicantIdentity::Enterprise(u)) => u.as_str().to_string(),
                    Some(ApplicantIdentity::Citizen(i)) => i.as_str().to_string(),
                    None => String::new(),
                };
                let case = s
                    .create_case(&who.username, |id, now| {
                        cases::new_draft(cases::NewCase {
                            id,
                            guide: &item.guide,
                            item_version: item.version,
                            applicant: who.username.clone(),
                            applicant_name: who.display_name.clone(),
                            applicant_id_number: id_number,
                            proxy: None,
                            form: ApplicationForm {
                                contact_name: who.display_name.chars().take(20).collect(),
                                contact_phone: "13807910000".into(),
                                address: "南昌市西湖区".into(),
                                details: "往期办件（演示数据）".into(),
                                fields: Default::default(),
                            },
                            now,
                        })
                    })
                    .await
                    .map_err(|e| e.to_string())?;
                case_ids.insert(slot, case.id);
                made.cases += 1;
            }
            Ev::Case { slot, who, cmd } => {
                if stopped.contains(&slot) {
                    continue;
                }
                let who = user(&who).await?;
                // An item whose process takes another path (a pause for an inspection on site,
                // an on-the-spot decision) leaves its case where it stopped.
                match tongban_app::cases::apply_recorded(&s, &who, &case_ids[&slot], &cmd).await {
                    Ok(_) => {}
                    Err(
                        tongban_app::Error::Refused(_)
                        | tongban_app::Error::Store(tongban_store::StoreError::Refused(_)),
                    ) => {
                        stopped.insert(slot);
                    }
                    Err(x) => return Err(e(x)),
                }
            }
            Ev::Rate { slot, .. } if stopped.contains(&slot) => {}
            Ev::Rate {
                slot,
                level,
                urgent,
            } => {
                let case = s
                    .case(&case_ids[&slot])
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("case")?
                    .case;
                let who = user(&case.applicant).await?;
                let l = tongban_domain::reviews::Level::parse(level).ok_or(level)?;
                let scores = [
                    "overall",
                    "efficiency",
                    "guide_accuracy",
                    "convenience",
                    "platform_usability",
                ]
                .into_iter()
                .map(|k| (k.to_string(), l))
                .collect();
                let new = tongban_domain::reviews::NewRating {
                    scores,
                    comment: if l.is_bad() {
                        "办理时间比承诺的长".into()
                    } else {
                        String::new()
                    },
                    demand: if urgent {
                        "请说明延误原因".into()
                    } else {
                        String::new()
                    },
                    real_name: urgent.then(|| tongban_domain::reviews::RealName {
                        name: "李四".into(),
                        phone: "13800138000".into(),
                    }),
                };
                let (_, ticket) = tongban_app::reviews::rate_case(&s, &who, &case.id, new)
                    .await
                    .map_err(e)?;
                if let Some(t) = ticket {
                    tickets.insert(slot, t.id);
                }
                made.ratings += 1;
            }
            Ev::Rectify { slot, clerk } => {
                if let Some(id) = tickets.get(&slot) {
                    let cmd = tongban_domain::reviews::TicketCommand::Rectify {
                        remedy: tongban_domain::reviews::Remedy::Fixed,
                        action_taken: "已向申请人说明并改进办理流程".into(),
                    };
                    tongban_app::reviews::run_ticket(&s, &user(clerk).await?, id, cmd)
                        .await
                        .map_err(e)?;
                }
            }
            Ev::RectifyCallBack { slot, satisfied } => {
                if let Some(id) = tickets.get(&slot) {
                    let cmd = tongban_domain::reviews::TicketCommand::CallBack {
                        satisfied,
                        note: "电话回访".into(),
                    };
                    tongban_app::reviews::run_ticket(&s, &supervisor, id, cmd)
                        .await
                        .map_err(e)?;
                }
            }
            Ev::Call { slot, lead, street } => {
                use tongban_domain::hotline::{Caller, Category, Location, NewTicket, Source};
                let new = NewTicket {
                    category: Category::Complaint,
                    matter: "小区周边路灯不亮、道路破损".into(),
                    caller: Some(Caller {
                        name: "王五".into(),
                        phone: "13907910002".into(),
                        confidential: false,
                    }),
                    location: Location {
                        address: "西湖区朝阳中路88号".into(),
                        lat: None,
                        long: None,
                    },
                    street: Some(street.into()),
                    enterprise_uscc: None,
                    business_environment: false,
                    service_code: None,
                    about_uscc: None,
                };
                let (t, _) = tongban_app::hotline::intake(&s, &operator, Source::Phone, new)
                    .await
                    .map_err(e)?;
                let cmd = tongban_domain::hotline::Command::Dispatch {
                    lead: lead.into(),
                    assisting: vec![],
                };
                tongban_app::hotline::run(&s, &operator, &t.id, cmd)
                    .await
                    .map_err(e)?;
                calls.insert(slot, t.id);
                made.tickets += 1;
            }
            Ev::Reply { slot, clerk } => {
                let cmd = tongban_domain::hotline::Command::Reply {
                    text: "已安排维修并回复诉求人".into(),
                };
                tongban_app::hotline::run(&s, &user(clerk).await?, &calls[&slot], cmd)
                    .await
                    .map_err(e)?;
            }
            Ev::HotlineCallBack { slot, satisfied } => {
                let cmd = tongban_domain::hotline::Command::CallBack {
                    satisfied,
                    note: "回访".into(),
                };
                tongban_app::hotline::run(&s, &operator, &calls[&slot], cmd)
                    .await
                    .map_err(e)?;
            }
        }
    }
    Ok(made)
}

/// The plan's reporting for the demo year: the office sets it going from the year's first
/// quarter; the tax office and the approval bureau report on their tasks each quarter (the
/// office accepts them, and returns the bureau's last one for more); the other lead units have
/// not reported, so the clock job's first pass tells them.
pub async fn load_reports(store: &Store, origin: Date) -> Result<(), String> {
    use tongban_domain::dashboard::Period;
    use tongban_domain::plan::report::NewReport;
    let tz = tongban_store::district_tz();
    let at = |d: Date, h: i8| -> Timestamp {
        d.at(h, 0, 0, 0)
            .to_zoned(tz.clone())
            .expect("a local time")
            .timestamp()
    };
    let past = |t: Timestamp| store.clone().with_clock(std::sync::Arc::new(move || t));
    let user = async |name: &str| {
        store
            .user(name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or(name.to_string())
    };
    let e = |e: tongban_app::Error| format!("demo reports: {e:?}");
    let year = origin.year();
    let start = jiff::civil::date(year, 1, 1);
    let plan = tongban_domain::plan::BASELINE.replacen(
        "\n[[task]]",
        &format!("\nreporting_from = \"{start}\"\n\n[[task]]"),
        1,
    );
    let office = user("supervisor").await?;
    tongban_app::plan::save_plan(
        &past(at(start, 9)),
        &office,
        &plan,
        "自本年一季度起按季报送推进情况",
    )
    .await
    .map_err(e)?;
    let cal = store.calendar();
    // Each quarter's reports come five working days after it ends, reviewed the next day.
    let quarters: Vec<(Period, Date, Date)> = (1..=4)
        .filter_map(|q| {
            let p = Period::Quarter(year, q);
            let on = cal.add_working_days(p.months().1.last_day(), 5).ok()?;
            let next = cal.add_working_days(on, 1).ok()?;
            (next < origin).then_some((p, on, next))
        })
        .collect();
    for (i, (p, on, next)) in quarters.iter().copied().enumerate() {
        for (task, clerk, text, figures) in [
            (
                "4.05",
                "clerk.swj",
                "推进办税事项全程网办，办税服务厅设置自助办税区。",
                vec![("4.05.tax_hours", 98.0), ("4.05.export_refund", 6.5)],
            ),
            (
                "4.04",
                "clerk.spj",
                "事项进驻大厅、综窗受理，网上可办事项持续增加。",
                vec![("4.04.hall_entry", 100.0), ("4.04.one_window", 100.0)],
            ),
        ] {
            let who = user(clerk).await?;
            let new = NewReport {
                task: task.into(),
                period: p.to_string(),
                text: text.into(),
                figures: figures
                    .into_iter()
                    .map(|(t, v)| tongban_domain::plan::report::ReportedFigure {
                        target: t.into(),
                        value: v,
                    })
                    .collect(),
                evidence: vec![],
            };
            let r = tongban_app::plan::submit_report(&past(at(on, 10)), &who, new)
                .await
                .map_err(e)?;
            let (ok, note) = if task == "4.04" && i + 1 == quarters.len() {
                (false, "请补充“综窗服务”覆盖事项清单作为佐证")
            } else {
                (true, "")
            };
            tongban_app::plan::review_report(&past(at(next, 15)), &office, &r.id, ok, note)
                .await
                .map_err(e)?;
        }
    }
    // A periodic round a month ago: praise for the tax office, a problem for the approval
    // bureau (rectified), one for the market regulator past its date and not rectified.
    use tongban_domain::plan::round::{FindingKind, NewFinding, NewRound, RoundKind};
    let (Some(held), Some(by)) = (
        super::working_days_before(store, origin, 20),
        super::working_days_before(store, origin, 12),
    ) else {
        return Ok(());
    };
    let then = past(at(held, 10));
    let new = NewRound {
        title: "营商环境重点任务定期督查".into(),
        kind: RoundKind::Periodic,
        held_on: held,
        summary: "对政务服务便利化、市场监管等任务推进情况进行督查。".into(),
    };
    let r = tongban_app::plan::create_round(&then, &office, new)
        .await
        .map_err(e)?;
    for (unit, task, kind, text, rectify_by) in [
        (
            "XH-SWJ",
            "4.05",
            FindingKind::Praise,
            "办税事项全程网办，按季报送推进情况及时完整。",
            None,
        ),
        (
            "XH-SPJ",
            "4.04",
            FindingKind::Problem,
            "部分依申请事项尚未纳入综窗受理。",
            Some(by),
        ),
        (
            "XH-SCJ",
            "4.14",
            FindingKind::Criticism,
            "风险预警核查反馈不及时，推进情况逾期未报。",
            Some(by),
        ),
    ] {
        let f = NewFinding {
            unit: unit.into(),
            task: Some(task.into()),
            kind,
            text: text.into(),
            rectify_by,
        };
        tongban_app::plan::add_finding(&then, &office, &r.id, f)
            .await
            .map_err(e)?;
    }
    let notice = "经督查，区税务局推进办税便利化成效明显，予以通报表扬；区行政审批局、区市场监管局存在问题，限期整改。";
    tongban_app::plan::publish_round(&then, &office, &r.id, notice)
        .await
        .map_err(e)?;
    if let Ok(fixed) = cal.add_working_days(held, 3) {
        let spj = user("clerk.spj").await?;
        tongban_app::plan::rectify(
            &past(at(fixed, 16)),
            &spj,
            &r.id,
            1,
            "已将全部依申请事项纳入综窗受理并公布清单。",
        )
        .await
        .map_err(e)?;
    }
    Ok(())
}
