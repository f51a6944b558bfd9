"""Create requests of the five service kinds, as a product team would send
them: about 2 KB of stored configuration each, except databases, whose request
has little more than a type, a version and resources."""

from typing import Any

Json = dict[str, Any]


def service_body(
    kind: str, index: int, *, registry_id: str, helm_repository_id: str
) -> Json:
    """The create request of the ``index``-th service, a ``kind``."""
    if kind == "application":
        return application_body(f"web-{index:03d}")
    if kind == "container":
        return container_body(f"worker-{index:03d}", registry_id)
    if kind == "database":
        return database_body(f"db-{index:03d}", index)
    if kind == "job":
        return job_body(f"job-{index:03d}", index, registry_id)
    return helm_body(f"chart-{index:03d}", index, helm_repository_id)


def _probes(port: int) -> Json:
    return {
        "readiness_probe": {
            "type": {
                "http": {"path": "/healthz/ready", "scheme": "HTTP", "port": port}
            },
            "initial_delay_seconds": 15,
            "period_seconds": 10,
            "timeout_seconds": 3,
            "success_threshold": 1,
            "failure_threshold": 3,
        },
        "liveness_probe": {
            "type": {"tcp": {"port": port}},
            "initial_delay_seconds": 30,
            "period_seconds": 20,
            "timeout_seconds": 5,
            "success_threshold": 1,
            "failure_threshold": 6,
        },
    }


def _arguments(name: str) -> list[str]:
    return [
        "serve",
        "--port=8080",
        "--grpc-port=9090",
        "--metrics-port=9100",
        "--log-format=json",
        "--log-level=info",
        "--workers=4",
        "--graceful-timeout=30s",
        "--max-requests=10000",
        "--env=production",
        f"--instance-tag={name}",
    ]


def _autoscaling(name: str) -> Json:
    query = f'sum(rate(http_requests_total{{service="{name}"}}[2m]))'
    return {
        "mode": "KEDA",
        "polling_interval_seconds": 30,
        "cooldown_period_seconds": 300,
        "scalers": [
            {
                "scaler_type": "prometheus",
                "role": "PRIMARY",
                "enabled": True,
                "config_json": {
                    "serverAddress": "http://prometheus.monitoring:9090",
                    "query": query,
                    "threshold": "200",
                },
            }
        ],
    }


def application_body(name: str) -> Json:
    """A web front end built from git: public, gRPC and metrics ports, two
    volumes, both probes, autoscaling on request rate."""
    return {
        "name": name,
        "description": f"{name}: the storefront, rendered on the server",
        "git_repository": {
            "url": f"https://github.com/acme/{name}.git",
            "branch": "main",
            "root_path": "/",
            "provider": "GITHUB",
        },
        "build_mode": "DOCKER",
        "dockerfile_path": "deploy/Dockerfile",
        "docker_target_build_stage": "runtime",
        "cpu": 1000,
        "memory": 1024,
        "min_running_instances": 2,
        "max_running_instances": 8,
        "cpu_architecture": "AMD64",
        "ephemeral_storage_in_gib": 4,
        "auto_deploy": True,
        "ports": [
            {
                "name": "http",
                "internal_port": 8080,
                "external_port": 443,
                "publicly_accessible": True,
                "is_default": True,
                "protocol": "HTTP",
                "public_path": "/",
            },
            {"name": "grpc", "internal_port": 9090, "publicly_accessible": False},
            {"name": "metrics", "internal_port": 9100, "publicly_accessible": False},
        ],
        "storage": [
            {"type": "FAST_SSD", "size": 10, "mount_point": "/data"},
            {"type": "FAST_SSD", "size": 2, "mount_point": "/var/cache/app"},
        ],
        "healthchecks": _probes(8080),
        "arguments": _arguments(name),
        "entrypoint": "/usr/local/bin/docker-entrypoint.sh",
        "autoscaling": _autoscaling(name),
    }


def container_body(name: str, registry_id: str) -> Json:
    """A queue worker from a registry image, with a metrics port and both
    probes."""
    return {
        "name": name,
        "description": f"{name}: consumes the order events queue",
        "registry_id": registry_id,
        "image_name": "acme/order-worker",
        "tag": "2026.11.3-7f3c9e1",
        "cpu": 500,
        "memory": 768,
        "min_running_instances": 1,
        "max_running_instances": 6,
        "cpu_architecture": "AMD64",
        "auto_deploy": True,
        "ports": [
            {"name": "http", "internal_port": 8080, "publicly_accessible": False},
            {"name": "metrics", "internal_port": 9100, "publicly_accessible": False},
            {
                "name": "admin",
                "internal_port": 8081,
                "external_port": 443,
                "publicly_accessible": True,
                "protocol": "HTTP",
                "public_path": "/admin",
                "public_path_rewrite": "/",
            },
        ],
        "storage": [{"type": "FAST_SSD", "size": 5, "mount_point": "/scratch"}],
        "healthchecks": _probes(8080),
        "arguments": [
            *_arguments(name),
            "--queue=orders",
            "--dead-letter-queue=orders-dlq",
            "--prefetch=32",
            "--visibility-timeout=120s",
        ],
        "entrypoint": "/app/bin/worker",
        "autoscaling": _autoscaling(name),
    }


DATABASE_TYPES = (("POSTGRESQL", "16"), ("REDIS", "7.2"), ("MYSQL", "8.0"))


def database_body(name: str, index: int) -> Json:
    database_type, version = DATABASE_TYPES[index // 10 % len(DATABASE_TYPES)]
    return {
        "name": name,
        "description": f"{name}: {database_type.lower()} for the orders domain",
        "type": database_type,
        "version": version,
        "mode": "CONTAINER",
        "accessibility": "PRIVATE",
        "cpu": 500,
        "memory": 1024,
        "storage": 50,
    }


def job_body(name: str, index: int, registry_id: str) -> Json:
    """A nightly export built from git, or a migration from an image run on
    every deployment, in turn."""
    common = {
        "name": name,
        "description": f"{name}: keeps the orders database in shape",
        "cpu": 500,
        "memory": 512,
        "max_nb_restart": 2,
        "max_duration_seconds": 1800,
        "cpu_architecture": "AMD64",
        "port": 8080,
        "healthchecks": _probes(8080),
        "auto_deploy": True,
        "auto_preview": False,
    }
    if index // 10 % 2:
        image = {
            "image_name": "acme/migrate",
            "tag": "4.2.0",
            "registry_id": registry_id,
        }
        arguments = [
            "up",
            "--lock-timeout=60s",
            "--statement-timeout=300s",
            "--schema=public",
            "--history-table=schema_migrations",
            "--dir=/migrations/orders",
            "--verbose",
        ]
        return {
            **common,
            "source": {"image": image},
            "schedule": {
                "on_start": {"entrypoint": "/migrate", "arguments": arguments},
                "on_delete": {"entrypoint": "/migrate", "arguments": ["down", "--all"]},
                "lifecycle_type": "GENERIC",
            },
        }
    return {
        **common,
        "source": {
            "docker": {
                "git_repository": {
                    "url": "https://github.com/acme/shop-jobs.git",
                    "branch": "main",
                    "root_path": "/export",
                    "provider": "GITHUB",
                },
                "dockerfile_path": "export/Dockerfile",
                "docker_target_build_stage": "runtime",
            }
        },
        "schedule": {
            "cronjob": {
                "scheduled_at": "30 2 * * *",
                "timezone": "Europe/Paris",
                "entrypoint": "/app/bin/export",
                "arguments": [
                    "--bucket=s3://acme-exports/orders",
                    "--format=parquet",
                    "--compression=zstd",
                    "--since=24h",
                    "--parallelism=4",
                    "--tables=orders,order_items,payments,refunds,shipments",
                    "--partition-by=created_at:day",
                    "--notify=https://hooks.acme.example/exports/done",
                ],
            }
        },
    }


def helm_body(name: str, index: int, repository_id: str) -> Json:
    """Redis from the organization's chart repository with a values file,
    overrides and one port."""
    values = "\n".join(
        [
            "architecture: replication",
            "auth:",
            "  enabled: true",
            "  sentinel: false",
            "master:",
            "  persistence:",
            "    enabled: true",
            "    size: 8Gi",
            "  resources:",
            "    requests: {cpu: 250m, memory: 256Mi}",
            "    limits: {cpu: 500m, memory: 512Mi}",
            "replica:",
            "  replicaCount: 2",
            "  persistence:",
            "    size: 8Gi",
            "metrics:",
            "  enabled: true",
            "  serviceMonitor:",
            "    enabled: true",
            "    namespace: monitoring",
            "    interval: 30s",
            "networkPolicy:",
            "  enabled: true",
            "  allowExternal: false",
            "  ingressNSMatchLabels:",
            "    kubernetes.io/metadata.name: storefront",
            "sentinel:",
            "  enabled: false",
            "commonConfiguration: |-",
            "  appendonly yes",
            "  save 900 1 300 10 60 10000",
            "  maxmemory-policy allkeys-lru",
            "podDisruptionBudget:",
            "  create: true",
            "  minAvailable: 1",
            "tolerations: []",
            "nodeSelector:",
            "  karpenter.sh/capacity-type: on-demand",
        ]
    )
    return {
        "name": name,
        "description": f"{name}: session and page cache",
        "timeout_sec": 600,
        "auto_deploy": True,
        "source": {
            "helm_repository": {
                "repository": repository_id,
                "chart_name": "redis",
                "chart_version": f"19.{index % 7}.0",
            }
        },
        "arguments": ["--wait", "--atomic", "--timeout=10m"],
        "allow_cluster_wide_resources": False,
        "values_override": {
            "set": [
                ["replica.replicaCount", "2"],
                ["master.count", "1"],
                ["metrics.serviceMonitor.interval", "30s"],
                ["master.resources.limits.memory", "512Mi"],
            ],
            "set_string": [["global.redis.password", "from-secret"]],
            "set_json": [["commonLabels", '{"team": "storefront", "tier": "cache"}']],
            "file": {
                "raw": {"values": [{"name": "production.yaml", "content": values}]}
            },
        },
        "ports": [
            {
                "name": "redis",
                "internal_port": 6379,
                "protocol": "HTTP",
                "is_default": True,
                "service_name": f"{name}-redis-master",
            }
        ],
    }
