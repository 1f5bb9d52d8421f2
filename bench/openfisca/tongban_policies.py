"""Tongban's seven enterprise policies as an OpenFisca tax-benefit system.

Money is integer fen, percentages integer ppm, rounding is floor
(``a * ppm // 1_000_000``), exactly as in the Rust engine.

Every variable is defined per DAY; the period asked for is "today", which is
how ``days_since_established`` knows the date.

OpenFisca stores ``value_type = int`` as int32 and silently casts formula
results and inputs to it (``astype``), so a revenue of 1e11 fen would wrap.
Integer variables here derive from ``Int64Variable``, which keeps
``value_type = int`` but stores int64.
"""

import numpy
from openfisca_core.entities import build_entity
from openfisca_core.model_api import DAY, Variable, date, min_, select, where
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

Enterprise = build_entity(
    key="enterprise",
    plural="enterprises",
    label="Enterprise, identified by its USCC",
    is_person=True,
)

PPM = 1_000_000


class Int64Variable(Variable):
    """An int variable held as int64 (OpenFisca's int is int32)."""

    def __init__(self, baseline_variable=None):
        super().__init__(baseline_variable)
        self.dtype = numpy.int64


# ----- Input facts -----------------------------------------------------------


def _input(name, value_type, label):
    base = Int64Variable if value_type is int else Variable
    return type(
        name,
        (base,),
        {
            "value_type": value_type,
            "entity": Enterprise,
            "definition_period": DAY,
            "label": label,
        },
    )


INPUTS = [
    _input("employees", int, "Number of employees"),
    _input("revenue_fen", int, "Annual revenue (fen)"),
    _input("rd_expense_fen", int, "R&D expense (fen)"),
    _input("established", date, "Date of establishment"),
    _input("tech_sme", bool, "Registered technology-based SME"),
    _input("high_tech", bool, "Certified high-tech enterprise"),
    _input("gazelle", bool, "Recognised gazelle enterprise"),
    _input("revenue_growth_ppm", int, "Revenue growth (ppm)"),
    _input("new_graduates", int, "New graduates hired"),
    _input("talents", int, "Recognised talents employed"),
    _input("loan_fen", int, "Start-up guaranteed loan (fen)"),
    _input("loan_rate_ppm", int, "Loan interest rate (ppm)"),
    _input("credit_good", bool, "No bad credit record"),
]


class days_since_established(Int64Variable):
    value_type = int
    entity = Enterprise
    definition_period = DAY
    label = "Days from establishment to the period's day"

    def formula(enterprise, period):
        today = numpy.datetime64(period.start.date, "D")
        return (today - enterprise("established", period)).astype(numpy.int64)


# ----- Policies --------------------------------------------------------------


# OpenFisca reads value_type, entity and definition_period from each class's
# own __dict__, so they are repeated on every variable rather than inherited.

# KJ-RD: R&D expense subsidy, 5% capped at 200 000 元.
class eligible_kj_rd(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        return (
            enterprise("tech_sme", period)
            * enterprise("credit_good", period)
            * (enterprise("rd_expense_fen", period) >= 50_000_000)
        )


class amount_kj_rd(Int64Variable):
    value_type = int
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        rd = enterprise("rd_expense_fen", period)
        amount = min_(rd * 50_000 // PPM, 20_000_000)
        return where(enterprise("eligible_kj_rd", period), amount, 0)


# GX-AWARD: high-tech enterprise award, 300 000 元.
class eligible_gx_award(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        return enterprise("high_tech", period) * enterprise("credit_good", period)


class amount_gx_award(Int64Variable):
    value_type = int
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        return where(enterprise("eligible_gx_award", period), 30_000_000, 0)


# DL-AWARD: gazelle award by revenue band.
class eligible_dl_award(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        return (
            enterprise("gazelle", period)
            * enterprise("credit_good", period)
            * (enterprise("revenue_growth_ppm", period) >= 200_000)
        )


class amount_dl_award(Int64Variable):
    value_type = int
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        revenue = enterprise("revenue_fen", period)
        amount = select(
            [revenue < 10_000_000_000, revenue < 50_000_000_000],
            [50_000_000, 100_000_000],
            default=200_000_000,
        )
        return where(enterprise("eligible_dl_award", period), amount, 0)


# GRAD: 2 000 元 per new graduate, capped at 100 000 元.
class eligible_grad(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        return (
            (enterprise("new_graduates", period) >= 1)
            * (enterprise("employees", period) >= 1)
            * enterprise("credit_good", period)
        )


class amount_grad(Int64Variable):
    value_type = int
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        amount = min_(enterprise("new_graduates", period) * 200_000, 10_000_000)
        return where(enterprise("eligible_grad", period), amount, 0)


# TALENT: 50 000 元 per talent, capped at 500 000 元.
class eligible_talent(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        return (enterprise("talents", period) >= 1) * enterprise("credit_good", period)


class amount_talent(Int64Variable):
    value_type = int
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        amount = min_(enterprise("talents", period) * 5_000_000, 50_000_000)
        return where(enterprise("eligible_talent", period), amount, 0)


# SEAL: free company seal (400 元) within 90 days of establishment.
class eligible_seal(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        days = enterprise("days_since_established", period)
        return (days <= 90) * (days >= 0)


class amount_seal(Int64Variable):
    value_type = int
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        return where(enterprise("eligible_seal", period), 40_000, 0)


# CYXD: start-up loan interest subsidy, half the interest at up to 6%,
# capped at 500 000 元.
class eligible_cyxd(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        return (
            (enterprise("loan_fen", period) > 0)
            * (enterprise("loan_rate_ppm", period) > 0)
            * enterprise("credit_good", period)
        )


class amount_cyxd(Int64Variable):
    value_type = int
    entity = Enterprise
    definition_period = DAY

    def formula(enterprise, period):
        rate = min_(enterprise("loan_rate_ppm", period), 60_000)
        interest = enterprise("loan_fen", period) * rate // PPM
        amount = min_(interest * 500_000 // PPM, 50_000_000)
        return where(enterprise("eligible_cyxd", period), amount, 0)


# ----- The system ------------------------------------------------------------

# Policy code -> snake-case suffix of its eligible_*/amount_* variables.
POLICIES = {
    "KJ-RD": "kj_rd",
    "GX-AWARD": "gx_award",
    "DL-AWARD": "dl_award",
    "GRAD": "grad",
    "TALENT": "talent",
    "SEAL": "seal",
    "CYXD": "cyxd",
}

POLICY_VARIABLES = [
    eligible_kj_rd, amount_kj_rd,
    eligible_gx_award, amount_gx_award,
    eligible_dl_award, amount_dl_award,
    eligible_grad, amount_grad,
    eligible_talent, amount_talent,
    eligible_seal, amount_seal,
    eligible_cyxd, amount_cyxd,
]


class TongbanTaxBenefitSystem(TaxBenefitSystem):
    def __init__(self):
        super().__init__([Enterprise])
        for variable in [*INPUTS, days_since_established, *POLICY_VARIABLES]:
            self.add_variable(variable)
