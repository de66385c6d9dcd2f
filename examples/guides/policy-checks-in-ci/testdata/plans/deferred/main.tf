# Fixture: a read the plan cannot do. The window starts at a value known only
# after apply, so the data source in module.later is read during apply and
# the plan holds no activities: the policy must deny, not pass.
resource "terraform_data" "window_start" {
  input = "2026-05-31T12:00:00Z"
}

module "later" {
  source = "./later"
  since  = terraform_data.window_start.output
}
