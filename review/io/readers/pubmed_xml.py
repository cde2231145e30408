"""PubMed XML (``<PubmedArticleSet>`` of ``<PubmedArticle>`` / ``<PubmedBookArticle>``), parsed
with defusedxml (no entity expansion; the DOCTYPE line PubMed writes is allowed, never fetched).
``found`` counts ``<PubmedArticle>`` and ``<PubmedBookArticle>`` start tags in the text.
"""

from __future__ import annotations

import re
from typing import Any

from review.errors import InputError
from review.io.readers.base import ParseResult, make_entry

_ARTICLE = re.compile(r"<Pubmed(?:Book)?Article[\s>]")


def _text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _first(el: Any, *paths: str) -> str:
    for p in paths:
        for found in el.findall(p):
            t = _text(found)
            if t:
                return t
    return ""


def _authors(el: Any) -> list[str]:
    out: list[str] = []
    for a in el.findall(".//AuthorList/Author"):
        last = _first(a, "LastName")
        given = _first(a, "ForeName") or _first(a, "Initials")
        if last:
            out.append(f"{last}, {given}" if given else last)
        elif _first(a, "CollectiveName"):
            out.append(_first(a, "CollectiveName"))
    return out


def _abstract(el: Any) -> str:
    parts = []
    for p in el.findall(".//Abstract/AbstractText"):
        label = p.get("Label")
        text = _text(p)
        if text:
            parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def map_article(art: Any) -> tuple[dict[str, Any], str]:
    book = art.tag == "PubmedBookArticle"
    pmid = _first(art, ".//PMID")
    ids = art.findall(".//ArticleIdList/ArticleId") + art.findall(".//ELocationID")
    dois = [_text(i) for i in ids if (i.get("IdType") or i.get("EIdType")) == "doi"]
    if book:
        title = _first(art, ".//ArticleTitle") or _first(art, ".//BookTitle")
        journal = _first(art, ".//Book/BookTitle") if _first(art, ".//ArticleTitle") else ""
        types: list[str] = ["chapter" if journal else "book"]
        year = _first(art, ".//Book/PubDate/Year", ".//PubDate/Year", ".//PubDate/MedlineDate")
    else:
        title = _first(art, ".//Article/ArticleTitle", ".//Article/VernacularTitle")
        journal = _first(art, ".//Article/Journal/Title", ".//MedlineJournalInfo/MedlineTA")
        types = [_text(t) for t in art.findall(".//PublicationTypeList/PublicationType")]
        year = _first(
            art,
            ".//Article/Journal/JournalIssue/PubDate/Year",
            ".//Article/Journal/JournalIssue/PubDate/MedlineDate",
            ".//Article/ArticleDate/Year",
            ".//DateCompleted/Year",
            ".//DateCreated/Year",
        )
    keywords = [_text(k) for k in art.findall(".//KeywordList/Keyword")]
    if not keywords:
        keywords = [_text(k) for k in art.findall(".//MeshHeadingList/MeshHeading/DescriptorName")]
    mapped: dict[str, Any] = {
        "type": types,
        "title": title,
        "abstract": _abstract(art),
        "authors": _authors(art),
        "year": year,
        "journal": journal,
        "volume": _first(art, ".//JournalIssue/Volume", ".//Book/Volume"),
        "issue": _first(art, ".//JournalIssue/Issue"),
        "pages": _first(art, ".//Pagination/MedlinePgn", ".//Pagination/StartPage"),
        "doi": dois,
        "pmid": pmid,
        "issn": [_text(i) for i in art.findall(".//Journal/ISSN")],
        "isbn": [_text(i) for i in art.findall(".//Book/Isbn")],
        "keywords": [k for k in keywords if k],
        "language": _first(art, ".//Article/Language", ".//Language"),
    }
    return mapped, pmid


def parse(text: str, name: str = "<text>") -> ParseResult:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    starts = [m.start() for m in _ARTICLE.finditer(text)]
    result = ParseResult(format="pubmed-xml", encoding="", found=len(starts))
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = fromstring(body)
    except DefusedXmlException as exc:
        raise InputError(
            f"contains XML entity declarations ({exc.__class__.__name__}); refused for safety. "
            "Download the PubMed results again.",
            file=name,
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(
            f"is not well-formed XML ({exc}). Download the PubMed results again.",
            file=name,
            line=line,
        ) from None
    if root.tag in ("PubmedArticle", "PubmedBookArticle"):
        articles = [root]
    else:
        articles = [el for el in root.iter() if el.tag in ("PubmedArticle", "PubmedBookArticle")]
    for pos, art in enumerate(articles, start=1):
        mapped, original_id = map_article(art)
        line = text.count("\n", 0, starts[pos - 1]) + 1 if pos <= len(starts) else 0
        raw = tuple(
            (el.tag, _text(el)) for el in art.iter() if len(el) == 0 and (el.text or "").strip()
        )
        result.entries.append(make_entry(pos, line, original_id, mapped, raw))
    return result
