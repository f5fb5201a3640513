"""The validate job: every record of the inputs checked against the shapes, one report."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Notice
from .pipeline import Options, SourceFailure, process
from .validation import RecordReport, ValidationReport
from .validation.report import notice_finding

__all__ = ["ValidationResult", "validate"]


@dataclass
class ValidationResult:
    report: ValidationReport
    failed_sources: list[SourceFailure] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    def summary(self) -> str:
        total = len(self.report.records)
        bad = sum(1 for r in self.report.records if not r.conforms)
        warnings = sum(1 for r in self.report.records for f in r.findings
                       if f.severity != "violation")
        text = f"validated {total} records: {total - bad} conform, {bad} do not, " \
               f"{warnings} warnings"
        if self.failed_sources:
            text += f"; {len(self.failed_sources)} inputs could not be read"
        return text


def validate(inputs: list[str], options: Options | None = None) -> ValidationResult:
    """Validate every record of ``inputs``; reader rejections count as non-conforming."""
    options = options or Options(formats=())
    failures: list[SourceFailure] = []
    records: list[RecordReport] = []
    for outcome in process(inputs, options, on_failure=failures.append):
        if outcome.report is not None:
            records.append(outcome.report)
        else:
            # The reader or the mapping refused the record: a violation on the record itself.
            notice = Notice(field=outcome.source.pointer or "record",
                            message=outcome.reason or "the record could not be read",
                            severity="violation")
            records.append(RecordReport(outcome.key, outcome.source.label(),
                                        (notice_finding(notice, outcome.key, "reader"),)))
    return ValidationResult(ValidationReport.of(records), failures)
