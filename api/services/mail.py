"""api.services.mail — optional SMTP delivery of site-event notifications to e-mail subscribers.

Off by default: with no `A2P_SMTP_HOST`, e-mail subscriptions are recorded in the graph
(status `recorded`) and nothing is sent. Set the host (and, as needed, the others) to send:

    A2P_SMTP_HOST       mail server host (unset: e-mail is recorded, not sent)
    A2P_SMTP_PORT       25 (587 with STARTTLS, 465 with A2P_SMTP_SSL)
    A2P_SMTP_SENDER     From: address (default assess2plan@localhost)
    A2P_SMTP_USER       login user name (no login when unset)
    A2P_SMTP_PASSWORD   login password
    A2P_SMTP_STARTTLS   true: upgrade the connection with STARTTLS before logging in
    A2P_SMTP_SSL        true: connect with TLS from the start (SMTPS)
    A2P_SMTP_TIMEOUT    seconds per connection (default 10)

The mailer is a callable (address, subject, body) as kg.links.alerts.notify_event expects;
a failure raises, and notify_event logs the notification as `failed` with the error.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Mailer = Callable[[str, str, str], None]


class MailSettings(BaseSettings):
    """SMTP configuration (env prefix `A2P_SMTP_`); no host means no mail is sent."""

    model_config = SettingsConfigDict(env_prefix="A2P_SMTP_", extra="ignore")

    host: str | None = Field(None, description="SMTP server; unset: e-mail is recorded only.")
    port: int = Field(25, gt=0, lt=65536)
    sender: str = Field("assess2plan@localhost", description="From: address.")
    user: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    ssl: bool = False
    timeout: float = Field(10.0, gt=0)


def smtp_mailer(cfg: MailSettings | None = None) -> Mailer | None:
    """A mailer sending through the configured server, or None when no host is configured."""
    cfg = cfg if cfg is not None else MailSettings()
    if not cfg.host:
        return None
    host = cfg.host

    def send(address: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"] = cfg.sender
        msg["To"] = address
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = make_msgid(domain=cfg.sender.rpartition("@")[2] or None)
        msg.set_content(body)
        smtp_class = smtplib.SMTP_SSL if cfg.ssl else smtplib.SMTP
        with smtp_class(host, cfg.port, timeout=cfg.timeout) as smtp:
            if cfg.starttls and not cfg.ssl:
                smtp.starttls(context=ssl.create_default_context())
            if cfg.user:
                smtp.login(cfg.user, cfg.password.get_secret_value() if cfg.password else "")
            smtp.send_message(msg)

    return send
