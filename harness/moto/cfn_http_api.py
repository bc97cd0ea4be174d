"""CloudFormation models for the HTTP API's resources (imported by sitecustomize.py).

moto 5 has an API Gateway v2 backend (CreateApi, GetRoutes, ...) but no CloudFormation model for
AWS::ApiGatewayV2::Api, ::Stage, ::Integration or ::Route: it skips them with a warning and still
completes the stack, so a deployed stack has no HTTP API, its routes cannot be read back, and every
`${HttpApi}` or `Ref: HttpApi` (the callback URLs, the 5xx alarm's ApiId) comes out empty. These
models create each resource through that backend, with the Ref and attributes AWS gives them:
an Api's Ref is its ApiId (attributes ApiId, ApiEndpoint), an Integration's its IntegrationId, a
Route's its RouteId, a Stage's its name. An update replaces the resource (a new id), which AWS does
only for some properties; the deploy proof only creates them.
"""

from moto.apigatewayv2 import models as _apigatewayv2
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel


def _backend(account_id, region_name):
    return _apigatewayv2.apigatewayv2_backends[account_id][region_name]


def _camel(value):
    """CloudFormation's PascalCase properties as the backend's (the API's) camelCase keys."""
    if isinstance(value, dict):
        return {key[0].lower() + key[1:]: _camel(item) for key, item in value.items()}
    return value


class _HttpApiModel:
    """What the four models share. Each model also names CloudFormationModel among its own bases
    (moto finds models by CloudFormationModel.__subclasses__(), which lists direct subclasses
    only) and sets __module__ in its own body: moto files a model under the service its module
    names (moto.<service>.models), read when the class is made."""

    TYPE = ""

    def __init__(self, api_id, physical_id, remove):
        self.api_id = api_id
        self._physical_id = physical_id
        self._remove = remove

    @property
    def physical_resource_id(self):
        return self._physical_id

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def cloudformation_type(cls):
        return cls.TYPE

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    def get_cfn_attribute(self, attribute_name):
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        properties = cloudformation_json.get("Properties", {})
        return cls.create(_backend(account_id, region_name), properties)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id, region_name):
        self._remove(_backend(account_id, region_name))

    def is_created(self):
        return True


class HttpApi(_HttpApiModel, CloudFormationModel):
    __module__ = _apigatewayv2.__name__
    TYPE = "AWS::ApiGatewayV2::Api"

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @classmethod
    def create(cls, backend, properties):
        api = backend.create_api(
            api_key_selection_expression=properties.get("ApiKeySelectionExpression"),
            cors_configuration=properties.get("CorsConfiguration"),
            description=properties.get("Description"),
            disable_schema_validation=properties.get("DisableSchemaValidation"),
            disable_execute_api_endpoint=properties.get("DisableExecuteApiEndpoint"),
            name=properties["Name"],
            protocol_type=properties["ProtocolType"],
            route_selection_expression=properties.get("RouteSelectionExpression"),
            tags=properties.get("Tags", {}),
            version=properties.get("Version"),
        )
        model = cls(api.api_id, api.api_id, lambda found: found.delete_api(api.api_id))
        model.api_endpoint = api.api_endpoint
        return model

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("ApiId", "ApiEndpoint")

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "ApiId":
            return self.api_id
        if attribute_name == "ApiEndpoint":
            return self.api_endpoint
        raise UnformattedGetAttTemplateException()


class HttpApiStage(_HttpApiModel, CloudFormationModel):
    __module__ = _apigatewayv2.__name__
    TYPE = "AWS::ApiGatewayV2::Stage"

    @classmethod
    def create(cls, backend, properties):
        api_id = properties["ApiId"]
        config = _camel({key: value for key, value in properties.items() if key != "ApiId"})
        stage = backend.create_stage(api_id, config)
        return cls(api_id, stage.name, lambda found: found.delete_stage(api_id, stage.name))


class HttpApiIntegration(_HttpApiModel, CloudFormationModel):
    __module__ = _apigatewayv2.__name__
    TYPE = "AWS::ApiGatewayV2::Integration"

    @classmethod
    def create(cls, backend, properties):
        api_id = properties["ApiId"]
        integration = backend.create_integration(
            api_id=api_id,
            connection_id=properties.get("ConnectionId"),
            connection_type=properties.get("ConnectionType"),
            content_handling_strategy=properties.get("ContentHandlingStrategy"),
            credentials_arn=properties.get("CredentialsArn"),
            description=properties.get("Description"),
            integration_method=properties.get("IntegrationMethod"),
            integration_subtype=properties.get("IntegrationSubtype"),
            integration_type=properties["IntegrationType"],
            integration_uri=properties.get("IntegrationUri"),
            passthrough_behavior=properties.get("PassthroughBehavior"),
            payload_format_version=properties.get("PayloadFormatVersion"),
            request_parameters=properties.get("RequestParameters"),
            request_templates=properties.get("RequestTemplates"),
            response_parameters=properties.get("ResponseParameters"),
            template_selection_expression=properties.get("TemplateSelectionExpression"),
            timeout_in_millis=properties.get("TimeoutInMillis"),
            tls_config=properties.get("TlsConfig"),
        )
        integration_id = integration.id
        return cls(
            api_id,
            integration_id,
            lambda found: found.delete_integration(api_id, integration_id),
        )


class HttpApiRoute(_HttpApiModel, CloudFormationModel):
    __module__ = _apigatewayv2.__name__
    TYPE = "AWS::ApiGatewayV2::Route"

    @classmethod
    def create(cls, backend, properties):
        api_id = properties["ApiId"]
        route = backend.create_route(
            api_id=api_id,
            api_key_required=properties.get("ApiKeyRequired", False),
            authorization_scopes=properties.get("AuthorizationScopes", []),
            authorization_type=properties.get("AuthorizationType"),
            authorizer_id=properties.get("AuthorizerId"),
            model_selection_expression=properties.get("ModelSelectionExpression"),
            operation_name=properties.get("OperationName"),
            request_models=properties.get("RequestModels"),
            request_parameters=properties.get("RequestParameters"),
            route_key=properties["RouteKey"],
            route_response_selection_expression=properties.get("RouteResponseSelectionExpression"),
            target=properties.get("Target"),
        )
        route_id = route.route_id
        return cls(api_id, route_id, lambda found: found.delete_route(api_id, route_id))


MODELS = (HttpApi, HttpApiStage, HttpApiIntegration, HttpApiRoute)
