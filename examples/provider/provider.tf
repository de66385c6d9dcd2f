terraform {
  required_providers {
    workiva = {
      source  = "workiva/workiva"
      version = "~> 0.1"
    }
  }
}

# Credentials come from the environment, never from files:
#   export WORKIVA_CLIENT_ID=...
#   export WORKIVA_CLIENT_SECRET=...
#   export WORKIVA_ORGANIZATION_ID=...   # default organization for the data sources
provider "workiva" {
  region = "us" # or "eu", "apac"; WORKIVA_API_URL overrides it

  # Retries of a 429 or 5xx answer, and the limit for each HTTP request.
  max_retries     = 5
  request_timeout = "60s"
}
