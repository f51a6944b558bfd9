import copy
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.cluster.repository import cluster_repository
from envplane.models import Cluster, Environment, Project, Variable
from tests.fixtures.api import Api
from tests.fixtures.factories import Json

MINIMAL = {"name": "main", "region": "eu-west-3", "cloud_provider": "AWS"}
AN_ID = "6f1c2b52-3c1e-4c36-9a57-5d1d1f6f8f11"
KARPENTER = {
    "spot_enabled": False,
    "disk_size_in_gib": 50,
    "disk_iops": 3000,
    "default_service_architecture": "ARM64",
    "qovery_node_pools": {
        "requirements": [{"key": "Arch", "operator": "In", "values": ["ARM64"]}],
        "default_override": {
            "limits": {
                "enabled": True,
                "max_cpu_in_vcpu": 8,
                "max_memory_in_gibibytes": 16,
                "max_gpu": 0,
            },
            "consolidate_after": "1m",
        },
        "stable_override": {
            "consolidation": {
                "enabled": True,
                "days": ["MONDAY", "FRIDAY"],
                "start_time": "PT22:30",
                "duration": "PT2H45M",
            }
        },
    },
}
AWS_VPC = {
    "aws_vpc_eks_id": "vpc-1",
    "eks_subnets_zone_a_ids": ["subnet-a"],
    "eks_subnets_zone_b_ids": ["subnet-b"],
    "eks_subnets_zone_c_ids": ["subnet-c"],
    "eks_create_nodes_in_private_subnet": False,
}
GCP_VPC = {"vpc_name": "shared", "vpc_project_id": "p", "private_nodes": True}
NAT_GATEWAY = {"nat_gateway_type": {"provider": "scaleway", "type": "VPC-GW-M"}}
METRICS = {
    "enabled": True,
    "configuration": {
        "kind": "MANAGED_BY_QOVERY",
        "resource_profile": "HIGH",
        "cloud_watch_export_config": {"enabled": False},
        "high_availability": True,
        "internal_network_monitoring": {"enabled": True},
        "alerting": {
            "enabled": True,
            "default_rule_labels": {"team": "ops"},
            "spec_external_url": "https://alerts.example.com",
        },
    },
}
CHARTS = {
    "nginx_parameters": {"replica_count": 2, "default_ssl_certificate": "ns/cert"},
    "cert_manager_parameters": {"kubernetes_namespace": "cert-manager"},
    "metal_lb_parameters": {"ip_address_pools": ["10.0.0.10-10.0.0.20"]},
    "eks_anywhere_parameters": {
        "git_repository": {
            "url": "https://github.com/acme/eks.git",
            "git_token_id": AN_ID,
            "provider": "GITHUB",
        },
        "yaml_file_path": "/clusters/a.yaml",
        "cluster_backup": {
            "s3": {"bucket": "backups", "region": "eu-west-3", "role_arn": "arn"}
        },
    },
}
STATIC_CREDENTIALS = {
    "mode": "AWS_STATIC_CREDENTIALS",
    "region": "eu-west-3",
    "access_key": "AKIA",
    "secret_key": "s3cr3t",
}
FULL = {
    **MINIMAL,
    "description": "the main one",
    "cloud_provider_credentials": {
        "cloud_provider": "AWS",
        "credentials": {"id": AN_ID, "name": "aws-prod"},
        "region": "eu-west-3",
    },
    "min_running_nodes": 3,
    "max_running_nodes": 10,
    "disk_size": 100,
    "disk_iops": 16000,
    "disk_throughput": 1000,
    "instance_type": "T3A_LARGE",
    "kubernetes": "SELF_MANAGED",
    "production": True,
    "ssh_keys": ["ssh-ed25519 AAAA me@example.com"],
    "features": [
        {"id": "STATIC_IP", "value": True},
        {"id": "VPC_SUBNET", "value": "10.0.0.0/16"},
        {"id": "KARPENTER", "value": KARPENTER},
        {"id": "EXISTING_VPC", "value": AWS_VPC},
        {"id": AN_ID, "value": GCP_VPC},
        {"id": "NAT_GATEWAY", "value": NAT_GATEWAY},
        {"id": "UNSET", "value": None},
    ],
    "metrics_parameters": METRICS,
    "infrastructure_charts_parameters": CHARTS,
    "keda": {"enabled": True},
    "labels_groups": [{"id": AN_ID}],
    "secret_manager_accesses": [
        {
            "name": "aws-sm",
            "endpoint": {"mode": "AWS_SECRET_MANAGER", "region": "eu-west-3"},
            "authentication": STATIC_CREDENTIALS,
        },
        {
            "name": "gcp-sm",
            "endpoint": {
                "mode": "GCP_SECRET_MANAGER",
                "region": "europe-west1",
                "project_id": "acme",
            },
            "authentication": {"mode": "AUTOMATICALLY_CONFIGURED"},
        },
    ],
}


def _path(organization: Json, cluster: Json | None = None) -> str:
    path = f"/organization/{organization['id']}/cluster"
    return f"{path}/{cluster['id']}" if cluster else path


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _stored(sessions: sessionmaker[Session], cluster_id: str) -> Cluster:
    with sessions() as session:
        stored = session.get(Cluster, uuid.UUID(cluster_id))
        assert stored is not None
        return stored


def _host_environments(
    sessions: sessionmaker[Session], project: Json, cluster: Json, count: int
) -> list[uuid.UUID]:
    """Environments on ``cluster``, each with a variable, made in the database."""
    with sessions.begin() as session:
        environments = [
            Environment(
                project_id=uuid.UUID(project["id"]),
                cluster_id=uuid.UUID(cluster["id"]),
                name=f"{cluster['name']}-{index}",
                mode="DEVELOPMENT",
            )
            for index in range(count)
        ]
        session.add_all(environments)
        session.flush()
        for environment in environments:
            session.add(
                Variable(
                    owner_id=environment.id,
                    scope="ENVIRONMENT",
                    project_id=environment.project_id,
                    environment_id=environment.id,
                    is_secret=False,
                    key="KEY",
                    value="value",
                    variable_type="VALUE",
                )
            )
        return [environment.id for environment in environments]


class TestCreate:
    def test_minimal(self, api: Api, owner_token: str, organization: Json) -> None:
        cluster = api.post(_path(organization), token=owner_token, json=MINIMAL)

        assert cluster["organization"] == {"id": organization["id"]}
        assert {key: cluster[key] for key in MINIMAL} == MINIMAL
        assert cluster["min_running_nodes"] == cluster["max_running_nodes"] == 1
        assert cluster["disk_size"] == 40
        assert cluster["kubernetes"] == "MANAGED"
        assert cluster["status"] == "READY"
        assert cluster["deployment_status"] == "NEVER_DEPLOYED"
        assert cluster["has_access"] is True
        assert cluster["is_demo"] is False
        assert cluster["production"] is False
        assert cluster["is_default"] is True
        assert "features" not in cluster and "description" not in cluster

    def test_full(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        cluster = api.post(_path(organization), token=owner_token, json=FULL)

        echoed = {
            "description",
            "min_running_nodes",
            "max_running_nodes",
            "disk_size",
            "disk_iops",
            "disk_throughput",
            "instance_type",
            "kubernetes",
            "production",
            "ssh_keys",
            "metrics_parameters",
            "keda",
            "labels_groups",
        }
        assert {key: cluster[key] for key in echoed} == {
            key: FULL[key] for key in echoed
        }
        charts = copy.deepcopy(CHARTS)
        charts["eks_anywhere_parameters"]["cluster_backup"].update(
            enabled=True, timeout_seconds=300
        )
        assert cluster["infrastructure_charts_parameters"] == charts
        assert "cloud_provider_credentials" not in cluster
        stored = _stored(sessions, cluster["id"])
        assert (
            stored.settings["cloud_provider_credentials"]
            == (FULL["cloud_provider_credentials"])
        )

    def test_features_answer_as_feature_responses(
        self, api: Api, owner_token: str, organization: Json
    ) -> None:
        cluster = api.post(_path(organization), token=owner_token, json=FULL)

        features = {feature["id"]: feature for feature in cluster["features"]}
        assert list(features) == [feature["id"] for feature in FULL["features"]]
        assert features["STATIC_IP"]["value_type"] == "BOOLEAN"
        objects = {key: f.get("value_object") for key, f in features.items()}
        assert objects == {
            "STATIC_IP": {"type": "BOOLEAN", "value": True},
            "VPC_SUBNET": {"type": "STRING", "value": "10.0.0.0/16"},
            "KARPENTER": {"type": "KARPENTER", "value": KARPENTER},
            "EXISTING_VPC": {"type": "AWS_USER_PROVIDED_NETWORK", "value": AWS_VPC},
            AN_ID: {"type": "GCP_USER_PROVIDED_NETWORK", "value": GCP_VPC},
            "NAT_GATEWAY": {"type": "NAT_GATEWAY", "value": NAT_GATEWAY},
            "UNSET": None,
        }

    def test_feature_defaults(
        self, api: Api, owner_token: str, organization: Json
    ) -> None:
        vpc = {key: AWS_VPC[key] for key in AWS_VPC if key.startswith("aws_vpc")}
        vpc |= {f"eks_subnets_zone_{zone}_ids": [] for zone in "abc"}
        body = {**MINIMAL, "features": [{"id": "EXISTING_VPC", "value": vpc}]}
        cluster = api.post(_path(organization), token=owner_token, json=body)

        value = cluster["features"][0]["value_object"]["value"]
        assert value == {**vpc, "eks_create_nodes_in_private_subnet": True}

    def test_secret_manager_accesses_hide_credentials(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        cluster = api.post(_path(organization), token=owner_token, json=FULL)

        aws, gcp = cluster["secret_manager_accesses"]
        assert aws["name"] == "aws-sm" and gcp["name"] == "gcp-sm"
        assert uuid.UUID(aws["id"]) and aws["created_at"] == aws["updated_at"]
        assert aws["endpoint"] == FULL["secret_manager_accesses"][0]["endpoint"]
        assert aws["authentication"] == {
            key: value
            for key, value in STATIC_CREDENTIALS.items()
            if key != "secret_key"
        }
        assert gcp["authentication"] == {"mode": "AUTOMATICALLY_CONFIGURED"}
        stored = str(_stored(sessions, cluster["id"]).settings)
        assert "s3cr3t" not in stored and "encrypted_secret" in stored

    def test_spot_enabled_settled_per_pool(
        self, api: Api, owner_token: str, organization: Json
    ) -> None:
        def settled(spot_enabled: bool, pools: Json) -> Json:
            karpenter = {
                **KARPENTER,
                "spot_enabled": spot_enabled,
                "qovery_node_pools": {"requirements": [], **pools},
            }
            body = {**MINIMAL, "features": [{"id": "KARPENTER", "value": karpenter}]}
            cluster = api.post(_path(organization), token=owner_token, json=body)
            value = cluster["features"][0]["value_object"]["value"]
            return {"spot_enabled": value["spot_enabled"], **value["qovery_node_pools"]}

        on, off = {"spot_enabled": True}, {"spot_enabled": False}
        assert settled(True, {}) == {"spot_enabled": True, "requirements": []}
        assert settled(False, {"stable_override": on}) == {
            "spot_enabled": True,
            "requirements": [],
            "default_override": off,
        }
        assert settled(True, {"stable_override": off, "default_override": off}) == {
            "spot_enabled": False,
            "requirements": [],
        }
        assert settled(False, {"cronjob_override": {}, "default_override": on}) == {
            "spot_enabled": True,
            "requirements": [],
            "stable_override": off,
            "cronjob_override": off,
        }
        gpu = {"spot_enabled": True, "disk_size_in_gib": 100}
        assert settled(False, {"gpu_override": gpu}) == {
            "spot_enabled": False,
            "requirements": [],
            "gpu_override": gpu,
        }

    def test_second_is_not_default(
        self, api: Api, owner_token: str, organization: Json, cluster: Json
    ) -> None:
        body = {**MINIMAL, "name": "second"}
        second = api.post(_path(organization), token=owner_token, json=body)
        assert second["is_default"] is False

    @pytest.mark.parametrize(
        "change",
        [
            {"name": None},
            {"name": "   "},
            {"name": "x" * 256},
            {"region": None},
            {"region": ""},
            {"cloud_provider": None},
            {"cloud_provider": "aws"},
            {"kubernetes": "HOSTED"},
            {"disk_iops": 2999},
            {"disk_iops": 16001},
            {"disk_throughput": 124},
            {"disk_throughput": 1001},
            {"disk_size": 0},
            {"disk_size": "50"},
            {"min_running_nodes": 0},
            {"max_running_nodes": 0},
            {"min_running_nodes": 3, "max_running_nodes": 2},
            {"min_running_nodes": 1.5},
            {"production": "yes"},
            {"ssh_keys": "ssh-ed25519 AAAA"},
            {"unknown_field": 1},
            {"features": [{"id": "X", "value": 5}]},
            {"features": [{"value": True}]},
            {"features": [{"id": "X", "value": True}, {"id": "X", "value": False}]},
            {"features": [{"id": "KARPENTER", "value": {"spot_enabled": True}}]},
            {"features": [{"id": "NAT", "value": {"nat_gateway_type": {}}}]},
            {"features": [{"id": "NAT", "value": {"typo": 1}}]},
            {
                "features": [
                    {
                        "id": "NAT",
                        "value": {
                            "nat_gateway_type": {
                                "provider": "gcp",
                                "static_ips_enabled": True,
                                "static_ips_count": 0,
                            }
                        },
                    }
                ]
            },
            {"metrics_parameters": {"configuration": {"kind": "SELF_HOSTED"}}},
            {"keda": {}},
            {"keda": {"enabled": True, "replicas": 2}},
            {"labels_groups": [{"id": "not-a-uuid"}]},
            {"cloud_provider_credentials": {"cloud_provider": "OVH"}},
            {
                "infrastructure_charts_parameters": {
                    "nginx_parameters": {"replica_count": -1}
                }
            },
            {
                "secret_manager_accesses": [
                    {
                        "name": "sm",
                        "endpoint": {"mode": "VAULT", "region": "eu"},
                        "authentication": {"mode": "AUTOMATICALLY_CONFIGURED"},
                    }
                ]
            },
            {
                "secret_manager_accesses": [
                    {
                        "name": "sm",
                        "endpoint": {"mode": "AWS_SECRET_MANAGER", "region": "eu"},
                        "authentication": {
                            "mode": "GCP_JSON_CREDENTIALS",
                            "json_credentials": "{not base64",
                        },
                    }
                ]
            },
        ],
    )
    def test_invalid(
        self, api: Api, owner_token: str, organization: Json, change: Json
    ) -> None:
        body = {**MINIMAL, **change}
        body = {key: value for key, value in body.items() if value is not None}
        error = api.post(_path(organization), token=owner_token, json=body, expect=400)

        assert error["status"] == 400 and error["errors"]
        assert api.get(_path(organization), token=owner_token)["results"] == []

    @pytest.mark.parametrize(
        ("pools", "field"),
        [
            ({"default_override": {"consolidate_after": "25h"}}, "consolidate_after"),
            ({"default_override": {"consolidate_after": "10d"}}, "consolidate_after"),
            ({"gpu_override": {"disk_iops": 100}}, "disk_iops"),
            (
                {
                    "stable_override": {
                        "consolidation": {
                            "enabled": True,
                            "days": ["MONDAY"],
                            "start_time": "22:30",
                            "duration": "PT1H",
                        }
                    }
                },
                "start_time",
            ),
            (
                {
                    "stable_override": {
                        "consolidation": {
                            "enabled": True,
                            "days": ["MONTAG"],
                            "start_time": "PT22:30",
                            "duration": "PT1H",
                        }
                    }
                },
                "days",
            ),
        ],
    )
    def test_invalid_karpenter(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        pools: Json,
        field: str,
    ) -> None:
        karpenter = copy.deepcopy(KARPENTER)
        karpenter["qovery_node_pools"].update(pools)
        body = {**MINIMAL, "features": [{"id": "KARPENTER", "value": karpenter}]}
        error = api.post(_path(organization), token=owner_token, json=body, expect=400)

        assert field in error["message"]
        assert error["errors"][0]["loc"][:5] == [
            "body",
            "features",
            0,
            "value",
            "KARPENTER",
        ]

    def test_anonymous(self, api: Api, organization: Json) -> None:
        api.post(_path(organization), token=None, json=MINIMAL, expect=401)

    def test_outsider(self, api: Api, outsider_token: str, organization: Json) -> None:
        api.post(_path(organization), token=outsider_token, json=MINIMAL, expect=404)

    def test_unknown_organization(self, api: Api, owner_token: str) -> None:
        path = f"/organization/{uuid.uuid4()}/cluster"
        api.post(path, token=owner_token, json=MINIMAL, expect=404)

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
    def test_forbidden(
        self,
        api: Api,
        organization: Json,
        member_token: Callable[[Role], str],
        role: Role,
    ) -> None:
        api.post(
            _path(organization), token=member_token(role), json=MINIMAL, expect=403
        )

    def test_admin(
        self, api: Api, organization: Json, member_token: Callable[[Role], str]
    ) -> None:
        api.post(_path(organization), token=member_token(Role.ADMIN), json=MINIMAL)


class TestList:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        cluster: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        second = api.post(
            _path(organization), token=owner_token, json={**MINIMAL, "name": "b"}
        )

        listed = api.get(_path(organization), token=member_token(Role.VIEWER))
        assert listed["results"] == [cluster, second]
        assert [c["is_default"] for c in listed["results"]] == [True, False]

    def test_only_own_organization(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        organization: Json,
        cluster: Json,
    ) -> None:
        other = api.post(
            "/organization",
            token=outsider_token,
            json={"name": "other", "plan": "FREE"},
        )
        api.post(_path(other), token=outsider_token, json=MINIMAL)

        assert api.get(_path(other), token=outsider_token)["results"][0]["is_default"]
        api.get(_path(other), token=owner_token, expect=404)
        api.get(_path(organization), token=outsider_token, expect=404)


class TestEdit:
    def test_replaces_everything(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        created = api.post(_path(organization), token=owner_token, json=FULL)

        body = {"name": "renamed", "region": "us-east-1", "cloud_provider": "GCP"}
        edited = api.put(_path(organization, created), token=owner_token, json=body)

        assert edited["id"] == created["id"]
        assert edited["created_at"] == created["created_at"]
        assert edited["updated_at"]
        assert {key: edited[key] for key in body} == body
        assert edited["min_running_nodes"] == 1 and edited["disk_size"] == 40
        assert edited["production"] is False and edited["kubernetes"] == "MANAGED"
        for key in ("description", "features", "ssh_keys", "keda", "disk_iops"):
            assert key not in edited, key
        assert api.get(_path(organization), token=owner_token)["results"] == [edited]
        stored = _stored(sessions, created["id"]).settings
        assert (
            stored["cloud_provider_credentials"] == (FULL["cloud_provider_credentials"])
        ), "write-only credentials are kept when left out"

        credentials = {"cloud_provider": "GCP", "region": "us-east1"}
        body["cloud_provider_credentials"] = credentials
        api.put(_path(organization, created), token=owner_token, json=body)
        stored = _stored(sessions, created["id"]).settings
        assert stored["cloud_provider_credentials"] == credentials

    def test_full(
        self, api: Api, owner_token: str, organization: Json, cluster: Json
    ) -> None:
        edited = api.put(_path(organization, cluster), token=owner_token, json=FULL)
        created = api.post(
            _path(organization), token=owner_token, json={**FULL, "name": "b"}
        )

        ignored = {"id", "name", "created_at", "updated_at", "is_default"}
        ignored |= {"secret_manager_accesses"}
        assert {k: v for k, v in edited.items() if k not in ignored} == {
            k: v for k, v in created.items() if k not in ignored
        }
        assert edited["is_default"] is True

    def test_answer_sent_back(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        """The official console edits a cluster by sending back what it read."""
        created = api.post(_path(organization), token=owner_token, json=FULL)
        settings = _stored(sessions, created["id"]).settings

        body = {**created, "keda": {"enabled": False}}
        edited = api.put(_path(organization, created), token=owner_token, json=body)

        assert edited == {**body, "updated_at": edited["updated_at"]}
        stored = _stored(sessions, created["id"]).settings
        assert stored == {**settings, "keda": {"enabled": False}}

    def test_secret_manager_accesses(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        created = api.post(_path(organization), token=owner_token, json=FULL)
        aws, gcp = created["secret_manager_accesses"]
        stored_secret = _stored(sessions, created["id"]).settings[
            "secret_manager_accesses"
        ][0]["encrypted_secret"]

        kept = {key: aws[key] for key in ("id", "name", "endpoint", "authentication")}
        renamed = {**{key: gcp[key] for key in kept}, "name": "gcp-renamed"}
        added = {**FULL["secret_manager_accesses"][1], "name": "new"}
        body = {**MINIMAL, "secret_manager_accesses": [kept, renamed, added]}
        edited = api.put(_path(organization, created), token=owner_token, json=body)

        same, changed, new = edited["secret_manager_accesses"]
        assert same == aws
        assert changed["id"] == gcp["id"] and changed["name"] == "gcp-renamed"
        assert changed["created_at"] == gcp["created_at"]
        assert _time(changed["updated_at"]) > _time(gcp["updated_at"])
        assert new["id"] not in (aws["id"], gcp["id"])
        settings = _stored(sessions, created["id"]).settings
        assert settings["secret_manager_accesses"][0]["encrypted_secret"] == (
            stored_secret
        )

        body["secret_manager_accesses"] = [{**kept, "id": str(uuid.uuid4())}]
        error = api.put(
            _path(organization, created), token=owner_token, json=body, expect=400
        )
        assert error["errors"][0]["loc"] == ["body", "secret_manager_accesses", 0, "id"]

    def test_secret_replaced_or_dropped_with_its_mode(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        created = api.post(_path(organization), token=owner_token, json=FULL)
        access = created["secret_manager_accesses"][0]
        path = _path(organization, created)

        def stored_secret() -> Any:
            settings = _stored(sessions, created["id"]).settings
            return settings["secret_manager_accesses"][0].get("encrypted_secret")

        before = stored_secret()
        new_secret = {
            **access,
            "authentication": STATIC_CREDENTIALS | {"secret_key": "x"},
        }
        body = {**MINIMAL, "secret_manager_accesses": [new_secret]}
        edited = api.put(path, token=owner_token, json=body)
        assert stored_secret() not in (None, before)
        updated_at = edited["secret_manager_accesses"][0]["updated_at"]
        assert _time(updated_at) > _time(access["updated_at"])

        role = {"mode": "AWS_ROLE_ARN", "role_arn": "arn:aws:iam::1:role/sm"}
        body["secret_manager_accesses"] = [{**access, "authentication": role}]
        edited = api.put(path, token=owner_token, json=body)
        assert edited["secret_manager_accesses"][0]["authentication"] == role
        assert stored_secret() is None

    def test_keeps_operator_settings(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        with sessions.begin() as session:
            stored = session.get(Cluster, uuid.UUID(cluster["id"]))
            assert stored is not None
            stored.settings = {**stored.settings, "is_demo": True}

        path = _path(organization, cluster)
        assert api.put(path, token=owner_token, json=MINIMAL)["is_demo"] is True

    def test_invalid(
        self, api: Api, owner_token: str, organization: Json, cluster: Json
    ) -> None:
        body = {**MINIMAL, "min_running_nodes": 5, "max_running_nodes": 1}
        path = _path(organization, cluster)
        error = api.put(path, token=owner_token, json=body, expect=400)

        assert "min_running_nodes" in error["message"]
        assert api.get(_path(organization), token=owner_token)["results"] == [cluster]

    def test_not_existing(self, api: Api, owner_token: str, organization: Json) -> None:
        path = f"{_path(organization)}/{uuid.uuid4()}"
        api.put(path, token=owner_token, json=MINIMAL, expect=404)

    def test_cluster_of_another_organization(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        organization: Json,
    ) -> None:
        other = api.post(
            "/organization",
            token=outsider_token,
            json={"name": "other", "plan": "FREE"},
        )
        theirs = api.post(_path(other), token=outsider_token, json=MINIMAL)

        api.put(
            _path(organization, theirs), token=owner_token, json=MINIMAL, expect=404
        )
        api.put(_path(other, theirs), token=owner_token, json=MINIMAL, expect=404)
        api.delete(_path(organization, theirs), token=owner_token, expect=404)
        api.delete(_path(other, theirs), token=owner_token, expect=404)
        assert api.get(_path(other), token=outsider_token)["results"] == [theirs]

    def test_developer_forbidden(
        self,
        api: Api,
        organization: Json,
        cluster: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        token = member_token(Role.DEVELOPER)
        api.put(_path(organization, cluster), token=token, json=MINIMAL, expect=403)


class TestDelete:
    def test_valid(
        self,
        api: Api,
        organization: Json,
        cluster: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        token = member_token(Role.ADMIN)
        api.delete(_path(organization, cluster), token=token)

        assert api.get(_path(organization), token=token)["results"] == []
        api.delete(_path(organization, cluster), token=token, expect=404)

    def test_hosting_environments(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        project: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        _host_environments(sessions, project, cluster, 2)

        path = _path(organization, cluster)
        error = api.delete(path, token=owner_token, expect=409)

        assert "2 environments" in error["message"]
        assert "deleteMode=DELETE_CLUSTER_AND_QOVERY_CONFIG" in error["message"]
        explicit = {"deleteMode": "DEFAULT"}
        api.delete(path, token=owner_token, params=explicit, expect=409)
        assert api.get(_path(organization), token=owner_token)["results"] == [cluster]
        with sessions() as session:
            assert len(session.scalars(select(Environment)).all()) == 2

    @pytest.mark.parametrize(
        "mode", ["DELETE_CLUSTER_AND_QOVERY_CONFIG", "DELETE_QOVERY_CONFIG"]
    )
    def test_with_environments(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        project: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
        mode: str,
    ) -> None:
        other = api.post(
            _path(organization), token=owner_token, json={**MINIMAL, "name": "b"}
        )
        _host_environments(sessions, project, cluster, 2)
        [kept] = _host_environments(sessions, project, other, 1)

        path = _path(organization, cluster)
        api.delete(path, token=owner_token, params={"deleteMode": mode})

        with sessions() as session:
            assert session.scalars(select(Environment.id)).all() == [kept]
            environment_ids = select(Variable.environment_id).where(
                Variable.environment_id.is_not(None)
            )
            assert session.scalars(environment_ids).all() == [kept]
            assert session.get(Project, uuid.UUID(project["id"])) is not None

    def test_environment_created_meanwhile(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        project: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
        is_postgresql: bool,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """An environment created between the count and the delete still stops
        it. SQLite serialises writers, so only PostgreSQL can get there."""
        if not is_postgresql:
            pytest.skip("SQLite runs one writing transaction at a time")
        _host_environments(sessions, project, cluster, 1)
        monkeypatch.setattr(cluster_repository, "count_environments", lambda *args: 0)

        error = api.delete(_path(organization, cluster), token=owner_token, expect=409)
        assert "try again" in error["message"]

    def test_skip_reconcile(
        self, api: Api, owner_token: str, organization: Json, cluster: Json
    ) -> None:
        path = _path(organization, cluster)
        params = {"skipReconcile": "true", "deleteMode": "DELETE_QOVERY_CONFIG"}
        error = api.delete(path, token=owner_token, params=params, expect=400)
        assert error["errors"][0]["loc"] == ["query", "skipReconcile"]

        params["deleteMode"] = "DELETE_CLUSTER_AND_QOVERY_CONFIG"
        api.delete(path, token=owner_token, params=params)

    @pytest.mark.parametrize(
        "params",
        [{"deleteMode": "HARD"}, {"deleteMode": ""}, {"skipReconcile": "maybe"}],
    )
    def test_invalid_query(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        cluster: Json,
        params: dict[str, str],
    ) -> None:
        path = _path(organization, cluster)
        api.delete(path, token=owner_token, params=params, expect=400)
        assert api.get(_path(organization), token=owner_token)["results"] == [cluster]

    def test_viewer_forbidden(
        self,
        api: Api,
        organization: Json,
        cluster: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        token = member_token(Role.VIEWER)
        api.delete(_path(organization, cluster), token=token, expect=403)

    def test_outsider(
        self, api: Api, outsider_token: str, organization: Json, cluster: Json
    ) -> None:
        api.delete(_path(organization, cluster), token=outsider_token, expect=404)
