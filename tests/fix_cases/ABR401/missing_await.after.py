from asgiref.sync import sync_to_async


async def notify(user_id):
    return user_id


def send_mail(user_id):
    return user_id


async def handler(user_id):
    await notify(user_id)  # fire and forget?
    await sync_to_async(send_mail)(user_id)


def sync_caller(user_id):
    notify(user_id)


async def nested(user_id):
    def inner():
        notify(user_id)

    return inner
