#!/usr/bin/env sh
# Runs the bridge on Camel K from the repository's own files: the route files of routes/ as they are, the
# properties of deploy/camel/application.properties and deploy/camel-k/camel-k.properties in a ConfigMap,
# deploy/camel-k/secrets.properties in a Secret, and the helpers jar (deploy/helpers) as a dependency.
# See README.md next to this file. Run from anywhere, with kubectl and kamel pointed at the cluster.
#
# Per deployment (environment variables of this script; required ones have no default):
#   IM_SDKAPPID          this app's SDKAppID
#   CRM_URL              where the default target's webhooks go
#   HELPERS_VERSION      the im-callback-bridge-helpers version published to the operator's Maven repository
#   EXTRA_ROUTES         more route files to run, e.g. examples/erp-target/erp-payload.camel.yaml
set -eu
cd "$(dirname "$0")/../.."

: "${IM_SDKAPPID:?set IM_SDKAPPID to your app's SDKAppID}"
: "${CRM_URL:?set CRM_URL to the CRM's webhook URL}"
HELPERS_VERSION="${HELPERS_VERSION:-0.1.0-SNAPSHOT}"
EXTRA_ROUTES="${EXTRA_ROUTES:-}"

kubectl create configmap im-callback-bridge-config \
  --from-file=application.properties=deploy/camel/application.properties \
  --from-file=camel-k.properties=deploy/camel-k/camel-k.properties \
  --dry-run=client -o yaml | kubectl apply -f -

# the journal's persistent volume (one instance: see journal-pvc.yaml)
kubectl apply -f deploy/camel-k/journal-pvc.yaml

kubectl create secret generic im-callback-bridge-secrets \
  --from-file=secrets.properties=deploy/camel-k/secrets.properties \
  --dry-run=client -o yaml | kubectl apply -f -

# camel:http  the webhook endpoint is a toD (dynamic) URI, which Camel K cannot detect
# camel:jta   the PROPAGATION_REQUIRED policy of the recording routes' transacted steps
# camel:jq    payload routes such as the ERP example
# mount       the journal's claim at callback.journal-dir (./data/journal from /deployments)
# 3.15.3      Camel K 2.10's default runtime (Camel Quarkus 3.15.3, Camel 4.8.5), pinned: the routes are
#             checked on Camel 4.8 by every build (compat/camel-4.8)
# shellcheck disable=SC2086
kamel run routes/*.camel.yaml $EXTRA_ROUTES \
  --name im-callback-bridge \
  --config configmap:im-callback-bridge-config \
  --config secret:im-callback-bridge-secrets \
  --env IM_SDKAPPID="$IM_SDKAPPID" \
  --env WEBHOOK_TARGET_DEFAULT_URL="$CRM_URL" \
  --env DEMO_CRM_ENABLED=false \
  --build-property quarkus.datasource.db-kind=postgresql \
  --dependency "mvn:io.github.imcallbackbridge:im-callback-bridge-helpers:$HELPERS_VERSION" \
  --dependency camel:http \
  --dependency camel:jta \
  --dependency camel:jq \
  --dependency camel:openapi-java \
  --dependency mvn:io.quarkus:quarkus-jdbc-postgresql \
  --dependency mvn:io.quarkus:quarkus-flyway \
  --dependency mvn:org.flywaydb:flyway-database-postgresql \
  --trait camel.runtime-version=3.15.3 \
  --trait health.enabled=true \
  --trait health.liveness-probe-enabled=true \
  --trait health.readiness-probe-enabled=true \
  --trait mount.volumes=im-callback-bridge-journal:/deployments/data/journal
