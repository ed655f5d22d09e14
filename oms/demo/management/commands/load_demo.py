from typing import Any

from django.core.management.base import BaseCommand

from oms.demo.data import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create the demo company (once) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo()
        if logins is None:
            self.stdout.write("demo data already present")
            logins = [
                ("admin", "系统管理员"),
                ("sales_staff", "销售部 员工"),
                ("sales_head", "销售部 部门负责人"),
                ("executive", "分管领导"),
                ("auditor", "审计员"),
                ("<部门>_staff / <部门>_head", "each department"),
                ("customer", "客户门户"),
            ]
        self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in logins:
            self.stdout.write(f"  {username:28} {role}")
