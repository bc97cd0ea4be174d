"""Loaded by moto_server's Python (harness/moto-server.ts puts this folder on PYTHONPATH).

Six places where moto 5 departs from AWS in a way the deploy proof must not inherit; each patch
brings moto back to what AWS does, and says on stderr if it could not be applied:

1. A DynamoDB stream's event source mapping ignores `Enabled: false`, unlike an SQS one: moto
   "invokes" the function at every write (in Docker; without Docker the error it gets counts as
   success) and then drops the stream's records, so GetRecords never sees one. With the patch,
   a disabled mapping is left alone, as for SQS, and the records stay readable.
2. A scheduled rule (no event pattern) matches every event put on its bus, and delivering to its
   Lambda target fails PutEvents with an HTTP 500. In AWS a scheduled rule matches no event.
3. A role's inline policy created by CloudFormation is stored as a Python dict, so GetRolePolicy
   returns its repr (single quotes, True/False) instead of the JSON policy document.
4. CloudFormation cannot make an AWS::CloudWatch::Alarm: moto has no model for the type, skips the
   resource with a warning and still completes the stack, so DescribeAlarms finds none of the
   stack's alarms. With the patch, CloudFormation creates, updates and deletes a metric alarm
   through the backend PutMetricAlarm uses, named as AWS names it, its Ref the name and its Arn
   the alarm's ARN.
5. CloudFormation cannot make the HTTP API (AWS::ApiGatewayV2::Api, ::Stage, ::Integration,
   ::Route): moto skips them the same way, so the deployed stack has no callback routes and every
   reference to the API is empty. With the patch (cfn_http_api.py, beside this file), they are
   made through moto's API Gateway v2 backend, and GetRoutes lists the routes the template names.
6. A change set's execution updates the stack's resources but keeps the outputs of the template
   the stack had before (`serverless deploy`'s second change set: the deployment bucket's only),
   so DescribeStacks never shows the outputs of the template deployed. With the patch, the
   outputs are those of the change set's template, as in AWS.
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


try:
    from moto.cloudformation import parsing as _parsing
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.cloudwatch import models as _cloudwatch
    from moto.core.common_models import CloudFormationModel

    def _alarms(account_id, region_name):
        return _cloudwatch.cloudwatch_backends[account_id][region_name]

    def _put_alarm(name, properties, account_id, region_name):
        if "Metrics" in properties:
            # Not needed by the stack; refuse rather than make an alarm that reads nothing.
            raise NotImplementedError("metric math alarms are not patched")
        optional_int = lambda key: None if key not in properties else int(properties[key])  # noqa: E731
        return _alarms(account_id, region_name).put_metric_alarm(
            name=name,
            namespace=properties.get("Namespace"),
            metric_name=properties.get("MetricName"),
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=int(properties["EvaluationPeriods"]),
            period=optional_int("Period"),
            threshold=float(properties["Threshold"]),
            statistic=properties.get("Statistic"),
            description=properties.get("AlarmDescription"),
            # A dimension whose value is a resource moto only stubs has no value here.
            dimensions=[
                {"Name": dimension["Name"], "Value": dimension.get("Value", "")}
                for dimension in properties.get("Dimensions", [])
            ],
            alarm_actions=properties.get("AlarmActions", []),
            datapoints_to_alarm=optional_int("DatapointsToAlarm"),
            extended_statistic=properties.get("ExtendedStatistic"),
            ok_actions=properties.get("OKActions", []),
            insufficient_data_actions=properties.get("InsufficientDataActions", []),
            unit=properties.get("Unit"),
            actions_enabled=properties.get("ActionsEnabled", True),
            treat_missing_data=properties.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=properties.get("EvaluateLowSampleCountPercentile"),
        )

    class _StackAlarm(CloudFormationModel):
        # moto files every model under the service its module names (moto.<service>.models).
        __module__ = _cloudwatch.__name__

        def __init__(self, alarm):
            self.alarm = alarm

        @property
        def physical_resource_id(self):
            return self.alarm.name

        @staticmethod
        def cloudformation_name_type():
            return "AlarmName"

        @staticmethod
        def cloudformation_type():
            return "AWS::CloudWatch::Alarm"

        @classmethod
        def has_cfn_attr(cls, attr):
            return attr == "Arn"

        def get_cfn_attribute(self, attribute_name):
            if attribute_name == "Arn":
                return self.alarm.alarm_arn
            raise UnformattedGetAttTemplateException()

        @classmethod
        def create_from_cloudformation_json(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        ):
            properties = cloudformation_json["Properties"]
            return cls(_put_alarm(resource_name, properties, account_id, region_name))

        @classmethod
        def update_from_cloudformation_json(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        ):
            properties = cloudformation_json["Properties"]
            # Without an AlarmName the alarm keeps its name, as in AWS; a new one replaces it.
            name = properties.get("AlarmName", original_resource.alarm.name)
            if name != original_resource.alarm.name:
                original_resource.delete(account_id, region_name)
            return cls(_put_alarm(name, properties, account_id, region_name))

        @classmethod
        def delete_from_cloudformation_json(
            cls, resource_name, cloudformation_json, account_id, region_name
        ):
            _alarms(account_id, region_name).delete_alarms([resource_name])

        def delete(self, account_id, region_name):
            _alarms(account_id, region_name).delete_alarms([self.alarm.name])

        def is_created(self):
            return True

    # The type map is built once from CloudFormationModel's subclasses: rebuild it with this one.
    _parsing.get_model_map.cache_clear()
    _parsing.get_name_type_map.cache_clear()
    if _parsing.get_model_map().get("AWS::CloudWatch::Alarm") is not _StackAlarm:
        raise RuntimeError("another model is registered for AWS::CloudWatch::Alarm")
except Exception as error:  # noqa: BLE001
    _warn("CloudFormation alarms", error)


try:
    from moto.cloudformation import parsing as _parsing

    import cfn_http_api as _http_api

    # The model list, and the maps built from it, were cached when the alarm patch looked.
    _parsing.get_model_list.cache_clear()
    _parsing.get_model_map.cache_clear()
    _parsing.get_name_type_map.cache_clear()
    for _model in _http_api.MODELS:
        if _parsing.get_model_map().get(_model.TYPE) is not _model:
            raise RuntimeError(f"another model is registered for {_model.TYPE}")
except Exception as error:  # noqa: BLE001
    _warn("CloudFormation HTTP APIs", error)


try:
    from moto.cloudformation import models as _cloudformation
    from moto.cloudformation.parsing import OutputMap as _OutputMap

    _apply = _cloudformation.ChangeSet.apply

    def _apply_with_outputs(self):
        _apply(self)
        stack = self.stack
        stack.output_map = _OutputMap(stack.resource_map, self.template_dict, stack.stack_id)

    _cloudformation.ChangeSet.apply = _apply_with_outputs
except Exception as error:  # noqa: BLE001
    _warn("change set outputs", error)
