"""The demo's security story for one `$service`: who may call it, who was denied, is mTLS healthy.

Consul flavor (intentions compile into Envoy's RBAC filters on the public listener).
"""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import CONSUL
from generator.panels import security
from generator.variables import datasource, service

SECURITY = Dashboard(
    uid="meshdash-security",
    title="Service mesh / Security",
    description=(
        "Intentions at work for one service: requests and connections its sidecar allowed "
        "and denied, what denied callers saw (403, gRPC PERMISSION_DENIED), mTLS handshakes "
        "and failures both ways, and days until a certificate expires."
    ),
    tags=["service-mesh", "envoy", "consul", "security"],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(flavor=CONSUL)],
    rows=[
        Row(
            "Authorization: intentions on $service",
            [
                security.l7_authorization(flavor=CONSUL),
                security.l4_authorization(flavor=CONSUL),
                security.denied_callers(flavor=CONSUL, width=24),
            ],
        ),
        Row(
            "mTLS and certificates",
            [
                security.inbound_tls(flavor=CONSUL),
                security.outbound_tls(flavor=CONSUL),
                security.certificate_expiry(flavor=CONSUL, width=24),
            ],
        ),
    ],
)
