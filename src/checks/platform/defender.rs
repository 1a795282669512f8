//! `defender.containers-plan`: the Defender for Containers plan.

use super::at;
use crate::checks::CheckResult;
use crate::checks::judge::{Answer, result_of, unknown_reason, unless_conditional};
use crate::collect::export_command as cmd;
use crate::evidence::azure::DefenderPlan;

/// `defender.containers-plan`: every imported `Containers` plan (one per
/// subscription) is on the Standard tier.
pub(super) fn containers_plan(plans: &[DefenderPlan]) -> CheckResult {
    let id = "defender.containers-plan";
    if plans.is_empty() {
        return CheckResult::not_evaluated(
            id,
            format!(
                "no Defender plans imported (export them with {})",
                cmd("defender-plans")
            ),
        );
    }
    let named = |name: &'static str| {
        plans
            .iter()
            .filter(move |p| p.name.value().is_some_and(|n| n.eq_ignore_ascii_case(name)))
    };
    let resources: Vec<_> = named("Containers")
        .map(|plan| {
            let tier = &plan.pricing_tier;
            let answer = match tier.value() {
                Some(t) if t.trim().eq_ignore_ascii_case("standard") => {
                    Answer::Yes(format!("the Containers plan is on (pricingTier is {t})"))
                }
                Some(t) => Answer::No(format!("the Containers plan is off (pricingTier is {t})")),
                None => Answer::Unknown(unknown_reason(tier, "pricingTier")),
            };
            unless_conditional(
                &plan.info,
                result_of(&plan.info.label(), answer, vec![at(&plan.info, tier)]),
            )
        })
        .collect();
    if resources.is_empty() {
        let older = named("KubernetesService")
            .filter(|p| {
                p.pricing_tier
                    .value()
                    .is_some_and(|t| t.eq_ignore_ascii_case("standard"))
            })
            .count();
        let mut reason = format!(
            "the imported Defender plans include no Containers plan (export the full list with {})",
            cmd("defender-plans")
        );
        if older > 0 {
            reason.push_str(
                "; the older KubernetesService plan is Standard, but it is not the Containers plan",
            );
        }
        let mut result = CheckResult::not_evaluated(id, reason);
        result.evidence = plans.iter().map(|p| p.info.source.clone()).collect();
        return result;
    }
    CheckResult::from_resources(id, "Containers plan", resources, "")
}
