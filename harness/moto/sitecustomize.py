"""Loaded by moto_server's Python (harness/moto-server.ts puts this folder on PYTHONPATH).

Three places where moto 5 departs from AWS in a way the deploy proof must not inherit; each patch
brings moto back to what AWS does, and says on stderr if it could not be applied:

1. A DynamoDB stream's event source mapping ignores `Enabled: false`, unlike an SQS one: moto
   "invokes" the function at every write (in Docker; without Docker the error it gets counts as
   success) and then drops the stream's records, so GetRecords never sees one. With the patch,
   a disabled mapping is left alone, as for SQS, and the records stay readable.
2. A scheduled rule (no event pattern) matches every event put on its bus, and delivering to its
   Lambda target fails PutEvents with an HTTP 500. In AWS a scheduled rule matches no event.
3. A role's inline policy created by CloudFormation is stored as a Python dict, so GetRolePolicy
   returns its repr (single quotes, True/False) instead of the JSON policy document.
"""

import json
import sys


def _warn(what, error):
    sys.stderr.write(f"harness/moto/sitecustomize.py: {what} not patched: {error!r}\n")


try:
    from moto.dynamodb.models import table as _table

    _add = _table.StreamShard.add

    def _add_without_disabled_mappings(self, old, new):
        mappings = self.table.lambda_event_source_mappings
        self.table.lambda_event_source_mappings = {
            arn: esm for arn, esm in mappings.items() if getattr(esm, "enabled", True)
        }
        try:
            _add(self, old, new)
        finally:
            self.table.lambda_event_source_mappings = mappings

    _table.StreamShard.add = _add_without_disabled_mappings
except Exception as error:  # noqa: BLE001
    _warn("stream mappings", error)

try:
    from moto.events import models as _events

    _send = _events.Rule.send_to_targets

    def _send_unless_scheduled(self, event, *args, **kwargs):
        if self.scheduled_expression and not self.event_pattern._pattern:
            return None
        return _send(self, event, *args, **kwargs)

    _events.Rule.send_to_targets = _send_unless_scheduled
except Exception as error:  # noqa: BLE001
    _warn("scheduled rules", error)

try:
    from moto.iam import models as _iam

    _put_policy = _iam.Role.put_policy

    def _put_policy_as_json(self, policy_name, policy_json):
        if not isinstance(policy_json, str):
            policy_json = json.dumps(policy_json)
        _put_policy(self, policy_name, policy_json)

    _iam.Role.put_policy = _put_policy_as_json
except Exception as error:  # noqa: BLE001
    _warn("role policies", error)
