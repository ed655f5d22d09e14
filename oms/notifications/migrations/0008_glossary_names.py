"""Issue 22: the model names follow the glossary, where "channel" is an order's intake channel
(接收渠道) and "delivery" is 交货. Only the names change: the tables keep theirs (set first, so
that the renames move nothing), and so do their rows, columns, keys and indexes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_encrypt_channel_secret")]

    operations = [
        migrations.AlterModelTable("channel", "notifications_channel"),
        migrations.AlterModelTable("delivery", "notifications_delivery"),
        migrations.RenameModel("Channel", "NotificationChannel"),
        migrations.RenameModel("Delivery", "OutboundMessage"),
    ]
