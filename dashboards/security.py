"""The demo's security story for one `$service`: who may call it, who was denied, is mTLS healthy.

Built for the current flavor: Consul and plain Envoy read Envoy's RBAC, TLS and
certificate stats (Consul's intentions are RBAC filters on the public listener;
plain Envoy's RBAC sits on the `inbound_prefix` listener); Istio reads its standard
metrics (403s, grpc-status 7 and the mTLS share), Envoy's own stats being off there
unless proxyStatsMatcher includes them.
"""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import current_flavor
from generator.panels import security
from generator.variables import datasource, service

FLAVOR = current_flavor()

if FLAVOR.cluster_stats:
    DESCRIPTION = (
        "Intentions at work for one service: requests and connections its sidecar allowed "
        "and denied, what denied callers saw (403, gRPC PERMISSION_DENIED), mTLS handshakes "
        "and failures both ways, and days until a certificate expires."
    )
    ROWS = [
        Row(
            "Authorization: intentions on $service",
            [
                security.l7_authorization(flavor=FLAVOR),
                security.l4_authorization(flavor=FLAVOR),
                security.denied_callers(flavor=FLAVOR, width=24),
            ],
        ),
        Row(
            "mTLS and certificates",
            [
                security.inbound_tls(flavor=FLAVOR),
                security.outbound_tls(flavor=FLAVOR),
                security.certificate_expiry(flavor=FLAVOR, width=24),
            ],
        ),
    ]
else:
    DESCRIPTION = (
        "Authorization policies at work for one service: the callers it answered 403 or "
        "gRPC PERMISSION_DENIED, and the share of its requests that arrived over mTLS."
    )
    ROWS = [
        Row("Authorization: denied calls to $service", [security.denied_callers(flavor=FLAVOR)]),
        Row("mTLS", [security.mtls_share(flavor=FLAVOR)]),
    ]

SECURITY = Dashboard(
    uid=FLAVOR.uid("security"),
    title=FLAVOR.title("Security"),
    description=DESCRIPTION,
    tags=["service-mesh", "envoy", FLAVOR.name, "security"],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(flavor=FLAVOR)],
    rows=ROWS,
)
