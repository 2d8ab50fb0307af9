"""Outputs: rendered dashboards become files.

build renders definitions into BuiltDashboard values (built); staging writes them
atomically (files) beside the manifest; cache skips an unchanged build; deliver writes
provisioning files and ConfigMaps.
"""
