"""Sign-in on a deployed stack: the user pool, its managed login pages and the console's public app client."""

from __future__ import annotations

from typing import Any

API_URL = "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
SIGN_IN_URL = "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"


def _properties(template: dict[str, Any], name: str) -> dict[str, Any]:
    resource = template["Resources"][name]
    # Only with the stack's own user pool: JwtIssuer names another identity provider.
    assert resource.get("Condition") == "UseStackUserPool", name
    return dict(resource["Properties"])


def _sub(value: Any) -> str:
    assert isinstance(value, dict) and set(value) == {"Fn::Sub"}, value
    text = value["Fn::Sub"]
    return str(text if isinstance(text, str) else text[0])


def test_self_sign_up_is_off_unless_the_parameter_allows_it(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["AllowSelfSignUp"]
    assert (parameter["Default"], parameter["AllowedValues"]) == ("false", ["false", "true"])
    assert template["Conditions"]["SelfSignUpAllowed"] == {"Fn::Equals": [{"Ref": "AllowSelfSignUp"}, "true"]}

    admin = _properties(template, "UserPool")["AdminCreateUserConfig"]

    assert admin["AllowAdminCreateUserOnly"] == {"Fn::If": ["SelfSignUpAllowed", False, True]}


def test_people_sign_in_with_their_email_and_a_strong_password(template: dict[str, Any]) -> None:
    pool = _properties(template, "UserPool")

    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert policy["RequireLowercase"] and policy["RequireUppercase"] and policy["RequireNumbers"]
    # Managed login (version 2) is not part of the Lite plan.
    assert pool["UserPoolTier"] == "ESSENTIALS"


def test_the_invitation_names_the_console_and_carries_the_username_and_temporary_password(
    template: dict[str, Any],
) -> None:
    invitation = _properties(template, "UserPool")["AdminCreateUserConfig"]["InviteMessageTemplate"]

    message = _sub(invitation["EmailMessage"])

    assert f"{API_URL}/console/" in message
    assert "{username}" in message and "{####}" in message
    assert invitation["EmailSubject"]


def test_the_managed_login_pages_live_on_a_domain_of_the_stage_and_account(template: dict[str, Any]) -> None:
    domain = _properties(template, "UserPoolDomain")
    branding = _properties(template, "ConsoleLoginBranding")

    assert domain["UserPoolId"] == {"Ref": "UserPool"}
    assert domain["Domain"] == {"Fn::Sub": "kith-${Stage}-${AWS::AccountId}"}
    assert domain["ManagedLoginVersion"] == 2
    assert template["Resources"]["ConsoleLoginBranding"]["Type"] == "AWS::Cognito::ManagedLoginBranding"
    assert branding == {
        "UserPoolId": {"Ref": "UserPool"},
        "ClientId": {"Ref": "ConsoleClient"},
        "UseCognitoProvidedValues": True,
    }


def test_the_console_client_is_public_and_uses_the_authorization_code_flow_only(template: dict[str, Any]) -> None:
    client = _properties(template, "ConsoleClient")

    assert client["UserPoolId"] == {"Ref": "UserPool"}
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert client["EnableTokenRevocation"] is True
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_tokens_last_an_hour_and_the_sign_in_thirty_days(template: dict[str, Any]) -> None:
    client = _properties(template, "ConsoleClient")

    assert (client["AccessTokenValidity"], client["TokenValidityUnits"]["AccessToken"]) == (1, "hours")
    assert (client["IdTokenValidity"], client["TokenValidityUnits"]["IdToken"]) == (1, "hours")
    assert (client["RefreshTokenValidity"], client["TokenValidityUnits"]["RefreshToken"]) == (30, "days")


def test_the_client_returns_only_to_the_console_and_its_cli_relay_on_the_stacks_own_addresses(
    template: dict[str, Any],
) -> None:
    client = _properties(template, "ConsoleClient")

    def urls(key: str) -> list[str]:
        found = []
        for entry in client[key]:
            if "Fn::If" in entry:
                condition, when_true, when_false = entry["Fn::If"]
                # The custom domain's address, only when PublicBaseUrl is set.
                assert (condition, when_true) == ("UseApiAddress", {"Ref": "AWS::NoValue"})
                found.append(_sub(when_false))
            else:
                found.append(_sub(entry))
        return found

    assert urls("CallbackURLs") == [
        f"{API_URL}/console/",
        f"{API_URL}/console/cli.html",
        "${PublicBaseUrl}/console/",
        "${PublicBaseUrl}/console/cli.html",
    ]
    assert urls("LogoutURLs") == [f"{API_URL}/console/", "${PublicBaseUrl}/console/"]


def test_the_api_accepts_the_console_clients_tokens_from_the_stacks_user_pool(template: dict[str, Any]) -> None:
    jwt = template["Resources"]["OwnerJwtAuthorizer"]["Properties"]["JwtConfiguration"]

    assert jwt["Audience"] == [{"Fn::If": ["UseStackUserPool", {"Ref": "ConsoleClient"}, {"Ref": "JwtAudience"}]}]
    condition, stack_issuer, own_issuer = jwt["Issuer"]["Fn::If"]
    assert condition == "UseStackUserPool"
    assert _sub(stack_issuer) == "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"
    assert own_issuer == {"Ref": "JwtIssuer"}


def test_the_console_function_is_told_where_to_sign_in_or_that_it_cannot(template: dict[str, Any]) -> None:
    variables = template["Resources"]["ConsoleFunction"]["Properties"]["Environment"]["Variables"]

    condition, stack_url, elsewhere = variables["KITH_AUTH_URL"]["Fn::If"]
    assert (condition, _sub(stack_url), elsewhere) == ("UseStackUserPool", SIGN_IN_URL, "")
    assert variables["KITH_CONSOLE_CLIENT_ID"] == {"Fn::If": ["UseStackUserPool", {"Ref": "ConsoleClient"}, ""]}


def test_the_outputs_name_the_console_the_sign_in_domain_the_pool_and_the_client(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]

    assert _sub(outputs["ConsoleUrl"]["Value"]) == f"{API_URL}/console/"
    assert "Condition" not in outputs["ConsoleUrl"]
    assert _sub(outputs["SignInDomain"]["Value"]) == SIGN_IN_URL
    assert outputs["UserPoolId"]["Value"] == {"Ref": "UserPool"}
    assert outputs["ConsoleClientId"]["Value"] == {"Ref": "ConsoleClient"}
    for name in ("SignInDomain", "UserPoolId", "ConsoleClientId"):
        assert outputs[name]["Condition"] == "UseStackUserPool"
