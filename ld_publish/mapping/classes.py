"""Which Schema.org and FaBiO classes a work type becomes. One table, used for works, containers
and cited works alike, so a type is never silently forced into JournalArticle."""

from __future__ import annotations

from ..model import WorkType
from ..terms import Term
from .namespaces import FABIO, SCHEMA

#: work type -> (Schema.org class, FaBiO class)
CLASSES: dict[WorkType, tuple[Term, Term]] = {
    WorkType.JOURNAL_ARTICLE: (SCHEMA.ScholarlyArticle, FABIO.JournalArticle),
    WorkType.BOOK: (SCHEMA.Book, FABIO.Book),
    WorkType.EDITED_BOOK: (SCHEMA.Book, FABIO.Book),
    WorkType.BOOK_CHAPTER: (SCHEMA.Chapter, FABIO.BookChapter),
    WorkType.PROCEEDINGS_ARTICLE: (SCHEMA.ScholarlyArticle, FABIO.ProceedingsPaper),
    WorkType.PROCEEDINGS: (SCHEMA.Book, FABIO.AcademicProceedings),
    WorkType.THESIS: (SCHEMA.Thesis, FABIO.Thesis),
    WorkType.DATASET: (SCHEMA.Dataset, FABIO.DataFile),
    WorkType.PREPRINT: (SCHEMA.ScholarlyArticle, FABIO.Preprint),
    WorkType.REPORT: (SCHEMA.Report, FABIO.ReportDocument),
    WorkType.BLOG_POST: (SCHEMA.BlogPosting, FABIO.BlogPost),
    WorkType.WEB_PAGE: (SCHEMA.WebPage, FABIO.WebContent),
    WorkType.REVIEW: (SCHEMA.Review, FABIO.ReviewArticle),
    WorkType.EDITORIAL: (SCHEMA.ScholarlyArticle, FABIO.Editorial),
    WorkType.SOFTWARE: (SCHEMA.SoftwareSourceCode, FABIO.ComputerProgram),
    WorkType.JOURNAL: (SCHEMA.Periodical, FABIO.Journal),
    WorkType.JOURNAL_ISSUE: (SCHEMA.PublicationIssue, FABIO.JournalIssue),
    WorkType.BLOG: (SCHEMA.Blog, FABIO.WebSite),
    WorkType.BOOK_SERIES: (SCHEMA.BookSeries, FABIO.BookSeries),
    WorkType.OTHER: (SCHEMA.CreativeWork, FABIO.Expression),
}


def classes_of(work_type: WorkType | None) -> tuple[Term, Term]:
    return CLASSES.get(work_type or WorkType.OTHER, CLASSES[WorkType.OTHER])


#: Schema.org classes in the domain of schema:pageStart, pageEnd and pagination (Article,
#: Chapter and their subclasses among those the mapping emits).
PAGED = frozenset({SCHEMA.ScholarlyArticle, SCHEMA.Chapter, SCHEMA.BlogPosting, SCHEMA.Report})
