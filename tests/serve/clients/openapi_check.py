"""flowscript serve's /openapi.json is a valid OpenAPI 3.1 document (openapi-spec-validator).

Usage: openapi_check.py BASE_URL
"""

import sys

import httpx
from openapi_spec_validator import validate

doc = httpx.get(sys.argv[1] + "/openapi.json", timeout=30).json()
validate(doc)
print(f"ok: a valid OpenAPI {doc['openapi']} document with {len(doc['paths'])} paths")
