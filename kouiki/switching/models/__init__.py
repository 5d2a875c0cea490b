"""The switching hub's models, one module per aggregate: the registry of supply points
(`registry`), the applications retailers file and the switches they make up (`applications`), and
the ledger of personal-data reads (`personal_data`)."""

from kouiki.switching.models.applications import (
    FINAL_STATES,
    LIVE_STATES,
    MAX_NG_REASONS,
    OPEN_SWITCH_STATES,
    UNMATCHED_SWITCH_STATES,
    Application,
    Kind,
    NgReason,
    NumberCounter,
    State,
    Switch,
    SwitchDecision,
    SwitchState,
    UsageDocument,
)
from kouiki.switching.models.personal_data import PersonalDataAccess, Purpose
from kouiki.switching.models.registry import (
    CLASS_VOLTAGE,
    RECEIVING_CLASSES,
    AbolitionMethod,
    ContractDecisionMethod,
    ContractState,
    PointClass,
    SupplyMethod,
    SupplyPoint,
    SupplyPointVersion,
    Voltage,
)

__all__ = [
    "CLASS_VOLTAGE",
    "FINAL_STATES",
    "LIVE_STATES",
    "MAX_NG_REASONS",
    "OPEN_SWITCH_STATES",
    "RECEIVING_CLASSES",
    "UNMATCHED_SWITCH_STATES",
    "AbolitionMethod",
    "Application",
    "ContractDecisionMethod",
    "ContractState",
    "Kind",
    "NgReason",
    "NumberCounter",
    "PersonalDataAccess",
    "PointClass",
    "Purpose",
    "State",
    "SupplyMethod",
    "SupplyPoint",
    "SupplyPointVersion",
    "Switch",
    "SwitchDecision",
    "SwitchState",
    "UsageDocument",
    "Voltage",
]
