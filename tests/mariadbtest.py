"""The tests' private MariaDB: its admin connection and the till's database user."""

from dataclasses import dataclass

import pymysql

POS_USER, POS_PASSWORD = "pos", "till-password-for-tests"


@dataclass
class MariaDB:
    host: str
    port: int
    socket: str

    def admin(self) -> pymysql.Connection:
        return pymysql.connect(unix_socket=self.socket, user="root", autocommit=True, charset="utf8mb4")

    def execute(self, sql: str, *args, database: str | None = None):
        with self.admin() as connection, connection.cursor() as cursor:
            if database:
                cursor.execute(f"USE `{database}`")
            cursor.execute(sql, args or None)
            return cursor.fetchall()


@dataclass
class Database:
    name: str
    url: str  # as a till's config names it: no password
