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


def _arguments(properties, required, optional, **defaults):
    """The backend's keyword arguments (snake_case) from CloudFormation's properties of the same
    names (PascalCase): each of `required` must be there; `optional` and `defaults` may be absent."""
    pascal = lambda name: "".join(part.title() for part in name.split("_"))  # noqa: E731
    arguments = {name: properties[pascal(name)] for name in required.split()}
    arguments.update({name: properties.get(pascal(name)) for name in optional.split()})
    arguments.update({name: properties.get(pascal(name), value) for name, value in defaults.items()})
    return arguments


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
            **_arguments(
                properties,
                "name protocol_type",
                "api_key_selection_expression cors_configuration description version"
                " disable_schema_validation disable_execute_api_endpoint route_selection_expression",
                tags={},
            )
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


class _ApiPart(_HttpApiModel):
    """An Integration or a Route: made in its API by the backend's `create_<part>` from the
    properties PARAMETERS names (required, optional, defaults), identified by its ID attribute."""

    PART = ""
    ID = ""
    PARAMETERS = ("", "", {})

    @classmethod
    def create(cls, backend, properties):
        api_id = properties["ApiId"]
        required, optional, defaults = cls.PARAMETERS
        made = getattr(backend, f"create_{cls.PART}")(
            **_arguments(properties, f"api_id {required}", optional, **defaults)
        )
        part_id = getattr(made, cls.ID)
        remove = lambda found: getattr(found, f"delete_{cls.PART}")(api_id, part_id)  # noqa: E731
        return cls(api_id, part_id, remove)


class HttpApiIntegration(_ApiPart, CloudFormationModel):
    __module__ = _apigatewayv2.__name__
    TYPE = "AWS::ApiGatewayV2::Integration"
    PART = "integration"
    ID = "id"
    PARAMETERS = (
        "integration_type",
        "connection_id connection_type content_handling_strategy credentials_arn description"
        " integration_method integration_subtype integration_uri passthrough_behavior"
        " payload_format_version request_parameters request_templates response_parameters"
        " template_selection_expression timeout_in_millis tls_config",
        {},
    )


class HttpApiRoute(_ApiPart, CloudFormationModel):
    __module__ = _apigatewayv2.__name__
    TYPE = "AWS::ApiGatewayV2::Route"
    PART = "route"
    ID = "route_id"
    PARAMETERS = (
        "route_key",
        "authorization_type authorizer_id model_selection_expression operation_name"
        " request_models request_parameters route_response_selection_expression target",
        {"api_key_required": False, "authorization_scopes": []},
    )


MODELS = (HttpApi, HttpApiStage, HttpApiIntegration, HttpApiRoute)
