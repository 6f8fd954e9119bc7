"""moto's CloudFormation making what packaging/aws/posapp-backend.yaml asks for, as CloudFormation does. Test-only.

Why: moto 5.2 builds every ``AWS::KMS::Key`` as a symmetric key whatever its ``KeySpec`` and
``KeyUsage`` (so the back office's RSA key of sealed materials answers no ``GetPublicKey``), keeps
its key policy as an object where KMS keeps JSON text (then ``DescribeKey`` fails with a 500),
and keeps ``AWS::NoValue`` in a list as null where CloudFormation drops the item (an ``!If``
statement of a policy). Applied in the e2e ``moto_server`` process by tests/moto_site/sitecustomize.py.
"""

import json

from moto.cloudformation import parsing
from moto.kms.models import Key, kms_backends


def patch_moto_cloudformation() -> None:
    """Replace moto's ``clean_json`` and ``Key.create_from_cloudformation_json`` in this process,
    once (calling again changes nothing)."""
    if getattr(parsing.clean_json, "drops_no_value", False):
        return
    clean_json = parsing.clean_json

    def dropping_no_value(resource_json, resources_map):
        cleaned = clean_json(resource_json, resources_map)
        return [each for each in cleaned if each is not None] if isinstance(resource_json, list) else cleaned

    dropping_no_value.drops_no_value = True
    parsing.clean_json = dropping_no_value  # its recursion goes through the module's name: every level

    def create_key(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        key = kms_backends[account_id][region_name].create_key(
            policy=json.dumps(properties["KeyPolicy"]), key_usage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"), description=properties.get("Description"),
            tags=properties.get("Tags", []))
        key.key_rotation_status = properties.get("EnableKeyRotation", False)
        key.enabled = properties.get("Enabled", True)
        return key

    Key.create_from_cloudformation_json = classmethod(create_key)
