"""Write the client certificates' CRL for the proxy (X-C1): `manage.py publish_crl`.

Run it once before the proxy first starts (nginx refuses to start without its `ssl_crl` file), and
after restoring a database; revocations and the daily job keep it current afterwards. With the
designated issuer's CA (KOUIKI_CLIENT_CA_CERT) the issuer publishes its CRL and this does nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kouiki.identity.services import certificate_authority


class Command(BaseCommand):
    help = "クライアント証明書の失効リスト（CRL）をプロキシ用に出力します。"

    def handle(self, *args: Any, **options: Any) -> None:
        path = certificate_authority.publish_crl()
        if path is None:
            self.stdout.write("指定発行者のCAを使用しているため、CRLは発行者が公開します（出力しません）。")
        else:
            self.stdout.write(f"CRLを出力しました: {path}")
            self.stdout.write(
                f"CA証明書: {certificate_authority.ca_directory() / certificate_authority.CA_CERT}"
            )
