# Fixture: a plan without any workiva_activities data source (the checks
# were removed or renamed): the policy must deny, since it checked nothing.
resource "terraform_data" "unrelated" {
  input = "no access checks here"
}
