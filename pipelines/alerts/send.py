"""Sending through apprise: one Apprise object per channel, an honest yes/no, masked errors.

A channel counts as delivered only when apprise reports SUCCESS for every service it
dispatched (a config file may hold several); "no service matched the tags" is a failure,
not a silent success. Error text comes from apprise's per-service log entries and goes
through ``Channel.scrub`` so no credential can reach a log, the database or a terminal.

Identity: a message may carry a stable ``identity`` (the outbox derives it from the
deliveries it carries), so a re-send after a crash is recognisably the same message. E-mail
gets it as its ``Message-ID`` (mail stores drop a second copy with the same id); JSON, form
and XML webhooks as an ``Idempotency-Key`` header. Other services have no such field:
a re-send may show twice there (docs/alerts.md lists which is which).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import apprise
from apprise.attachment.memory import AttachMemory
from apprise.plugins.custom_form import NotifyForm
from apprise.plugins.custom_json import NotifyJSON
from apprise.plugins.custom_xml import NotifyXML
from apprise.plugins.email import NotifyEmail
from apprise.plugins.email import base as email_base

from jobtrail.pipelines.alerts.config import Channel
from jobtrail.pipelines.alerts.render import Message

#: email has no practical size limit in apprise (overflow "upstream"); keep messages sane anyway
EMAIL_BODY_LIMIT = 1_000_000
#: seconds apprise may spend on one notify call
NOTIFY_TIMEOUT = 120
#: header a webhook receiver can deduplicate on (IETF draft "The Idempotency-Key HTTP Header Field")
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: header naming the changes a message carries (for receivers and audits; ids are jobtrail's change ids)
CHANGES_HEADER = "X-Jobtrail-Changes"
#: apprise services that carry a message identity, so receivers can drop a repeat
WEBHOOKS = (NotifyJSON, NotifyForm, NotifyXML)
_MSGID_LOCK = threading.Lock()


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class Attachment:
    name: str
    data: dict[str, Any]


def build(channel: Channel) -> apprise.Apprise:
    """The apprise object for ``channel`` (its URL, or every URL in its config file)."""
    target = apprise.Apprise()
    if channel.is_config_file:
        config = apprise.AppriseConfig()
        config.add(channel.url)
        target.add(config)
    else:
        target.add(channel.url)
    return target


def services(target: apprise.Apprise, channel: Channel) -> list[Any]:
    tags = list(channel.apprise_tags) or None
    return list(target.find(tag=tags)) if tags else list(target)


def preferred_format(target: apprise.Apprise, channel: Channel) -> str:
    """"html" when any service takes HTML natively (apprise converts for the others), else "text"."""
    for service in services(target, channel):
        formats = service.notify_format
        first = formats[0] if isinstance(formats, tuple | list) else formats
        if str(first) == apprise.NotifyFormat.HTML.value or first == apprise.NotifyFormat.HTML:
            return "html"
    return "text"


def body_limit(target: apprise.Apprise, channel: Channel) -> int:
    """The smallest message size among the channel's services."""
    limits = [
        EMAIL_BODY_LIMIT if isinstance(service, NotifyEmail) else int(service.body_maxlen)
        for service in services(target, channel)
    ]
    return min(limits, default=EMAIL_BODY_LIMIT)


def carries_identity(service: Any) -> bool:
    """Whether a re-send to this service can be recognised as a repeat by the receiving end."""
    return isinstance(service, NotifyEmail | NotifyJSON | NotifyForm | NotifyXML)


def send(channel: Channel, message: Message, *, fmt: str | None = None,
         attachments: Sequence[Attachment] = (), target: apprise.Apprise | None = None,
         identity: str | None = None, change_ids: Sequence[int] = ()) -> SendResult:
    """Send ``message`` to ``channel``; never raises for a delivery problem.

    ``identity``: the same string for every (re-)send of one message (see module docstring);
    ``change_ids``: the changes it carries, named in a header where the service takes headers.
    """
    try:
        target = target or build(channel)
        fmt = fmt or preferred_format(target, channel)
        attach = apprise.AppriseAttachment()
        for item in attachments:
            attach.add(AttachMemory(content=json.dumps(item.data, indent=2, default=str), name=item.name,
                                    mimetype="application/json"))
        _stamp(services(target, channel), identity, change_ids)
        with _message_id(identity):
            result = target.notify(
                body=message.body(fmt), title=message.subject,
                body_format=apprise.NotifyFormat.HTML if fmt == "html" else apprise.NotifyFormat.TEXT,
                tag=list(channel.apprise_tags) or apprise.common.MATCH_ALL_TAG,
                attach=attach if attachments else None, timeout=NOTIFY_TIMEOUT,
            )
    except Exception as exc:  # noqa: BLE001 - a plugin bug is a failed delivery, not a crash
        return SendResult(False, channel.scrub(f"{type(exc).__name__}: {exc}"))
    if result.status == apprise.AppriseResultStatus.SUCCESS:
        return SendResult(True)
    return SendResult(False, channel.scrub(_explain(result)))


def _stamp(targets: Sequence[Any], identity: str | None, change_ids: Sequence[int]) -> None:
    """Identity and change ids as headers, on the services that send headers (e-mail, webhooks)."""
    for service in targets:
        if not carries_identity(service):
            continue
        if change_ids:
            service.headers[CHANGES_HEADER] = ",".join(str(i) for i in sorted(change_ids))
        if identity and isinstance(service, WEBHOOKS):
            service.headers[IDEMPOTENCY_HEADER] = identity


@contextmanager
def _message_id(identity: str | None) -> Iterator[None]:
    """E-mails sent inside get ``Message-ID: <jobtrail.IDENTITY@SMTP host>``.

    apprise builds the Message-ID itself with ``email.utils.make_msgid`` and has no option for
    it; an extra ``+Message-ID=`` header would give the message two. So its ``make_msgid`` is
    swapped for this block only (under a lock: sends are sequential anyway).
    """
    if not identity:
        yield
        return
    with _MSGID_LOCK:
        original = email_base.make_msgid
        email_base.make_msgid = lambda idstring=None, domain=None: f"<jobtrail.{identity}@{domain or 'jobtrail'}>"
        try:
            yield
        finally:
            email_base.make_msgid = original


def _explain(result: Any) -> str:
    if result.status == apprise.AppriseResultStatus.NOMATCH:
        return "no apprise service matched (check the channel's url and tag)"
    reasons = []
    for service in result:
        if service:
            continue
        messages = [entry.message for entry in service.logs() if entry.level in ("WARNING", "ERROR")]
        reasons.append(f"{service.name}: {'; '.join(dict.fromkeys(messages)) or service.status.name.lower()}")
    return " | ".join(reasons) or f"apprise reported {result.status.name.lower()}"
